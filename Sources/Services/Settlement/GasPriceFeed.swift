import Foundation
import EventModel
public import EthCrypto

/// Gas prices over time: a recorded trace (CSV of seconds, gwei) replayed as a step function, or a seeded
/// model with spikes. Prices are wei per gas.
public struct GasPriceFeed: Sendable {
    /// (seconds from the start, wei per gas), ascending in time.
    public let points: [(seconds: Double, wei: UInt256)]

    public init(points: [(seconds: Double, wei: UInt256)]) {
        self.points = points.sorted { $0.seconds < $1.seconds }
    }

    /// Parses `time,gwei` lines (a header line and # comments are skipped); gwei may have decimals.
    public init(csv text: String) throws(GasFeedError) {
        var parsed: [(Double, UInt256)] = []
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == 2, let time = Double(fields[0]), let gwei = Double(fields[1]) else {
                if number == 0 { continue }  // a header
                throw .badLine(number + 1, String(line.prefix(80)))
            }
            guard time >= 0, gwei >= 0, gwei < 1e9 else { throw .badLine(number + 1, String(line.prefix(80))) }
            parsed.append((time, UInt256(UInt64((gwei * 1e9).rounded()))))
        }
        guard !parsed.isEmpty else { throw .empty }
        self.init(points: parsed)
    }

    /// A seeded model: a slow daily wave around `baseGwei`, noise, and spikes of 5–20× lasting minutes.
    public static func model(seed: UInt64, hours: Double, baseGwei: Double = 1, stepSeconds: Double = 60) -> GasPriceFeed {
        var random = SplitMix64(seed: seed)
        var points: [(Double, UInt256)] = []
        var spikeLeft = 0.0, spikeFactor = 1.0
        var time = 0.0
        while time <= hours * 3_600 {
            if spikeLeft <= 0, random.unit() < 0.01 {
                spikeLeft = 300 + random.unit() * 1_500
                spikeFactor = 5 + random.unit() * 15
            }
            let wave = 1 + 0.5 * sin(time / 86_400 * 2 * .pi)
            let noise = 0.8 + 0.4 * random.unit()
            let gwei = baseGwei * wave * noise * (spikeLeft > 0 ? spikeFactor : 1)
            points.append((time, UInt256(UInt64((gwei * 1e9).rounded()))))
            spikeLeft -= stepSeconds
            time += stepSeconds
        }
        return GasPriceFeed(points: points)
    }

    /// The price in force at `seconds` (the last point at or before it; the first point before the trace starts;
    /// the trace repeats when time runs past its end).
    public func price(at seconds: Double) -> UInt256 {
        guard let last = points.last else { return .zero }
        let span = max(last.seconds, 1)
        let time = seconds > last.seconds ? seconds.truncatingRemainder(dividingBy: span) : seconds
        var low = 0, high = points.count
        while low < high {
            let mid = (low + high) / 2
            if points[mid].seconds <= time { low = mid + 1 } else { high = mid }
        }
        return points[max(0, low - 1)].wei
    }

    /// The median price over the trace's points.
    public var median: UInt256 {
        let sorted = points.map(\.wei).sorted()
        return sorted.isEmpty ? .zero : sorted[sorted.count / 2]
    }

    /// CSV text of the points (seconds,gwei).
    public var csv: String {
        "seconds,gwei\n" + points.map { point in
            String(format: "%.0f,%.4f", point.seconds, point.wei.doubleValue / 1e9)
        }.joined(separator: "\n") + "\n"
    }
}

/// Why a gas trace could not be read.
public enum GasFeedError: Error, Equatable, Sendable, CustomStringConvertible {
    case badLine(Int, String)
    case empty

    public var description: String {
        switch self {
        case .badLine(let line, let text): "gas trace line \(line) is not `seconds,gwei`: \(text)"
        case .empty: "the gas trace has no points"
        }
    }
}
