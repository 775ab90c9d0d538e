import Foundation

/// A small reader of Prometheus's text format (0.0.4), enough for the tests: samples by name and labels.
struct PrometheusText {
    struct Sample: Hashable {
        let name: String
        let labels: [String: String]
        let value: Double
    }

    let samples: [Sample]
    /// `# TYPE` lines: metric family → counter, gauge, histogram…
    let types: [String: String]

    init(_ text: String) throws {
        var samples: [Sample] = [], types: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.isEmpty {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                guard parts.count == 4 else { throw Failure(line: String(line)) }
                types[String(parts[2])] = String(parts[3])
                continue
            }
            if line.hasPrefix("#") { continue }
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                throw Failure(line: String(line))
            }
            let series = line[..<space]
            var labels: [String: String] = [:]
            let name: Substring
            if let open = series.firstIndex(of: "{") {
                name = series[..<open]
                let body = series[series.index(after: open)..<(series.lastIndex(of: "}") ?? series.endIndex)]
                for pair in body.split(separator: ",") {
                    let kv = pair.split(separator: "=", maxSplits: 1)
                    guard kv.count == 2 else { throw Failure(line: String(line)) }
                    labels[String(kv[0])] = String(kv[1].dropFirst().dropLast())
                }
            } else {
                name = series
            }
            samples.append(Sample(name: String(name), labels: labels, value: value))
        }
        self.samples = samples
        self.types = types
    }

    /// The value of the one sample named `name` with exactly `labels`, if present.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }

    struct Failure: Error, CustomStringConvertible {
        let line: String
        var description: String { "not a Prometheus text line: \(line)" }
    }
}
