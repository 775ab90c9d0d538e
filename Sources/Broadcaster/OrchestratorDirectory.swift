import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
public import EthCrypto
import SwiftProtobuf
import Wire

/// Turns orchestrator URLs into candidates by asking each for its OrchestratorInfo (address and price), in
/// parallel with a timeout; those that do not answer are left out (and named).
public enum OrchestratorDirectory {
    public static func discover(urls: [String], sender: Address, timeout: Double = 5,
                                stakes: [String: Double] = [:]) async -> (found: [OrchestratorCandidate], unreachable: [String]) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        let session = URLSession(configuration: configuration)
        return await withTaskGroup(of: (String, OrchestratorCandidate?).self) { group in
            for url in urls {
                group.addTask {
                    guard let address = URL(string: "\(url)/orchestrator-info?sender=\(sender.checksummed)"),
                          let (data, response) = try? await session.data(from: address),
                          (response as? HTTPURLResponse)?.statusCode == 200,
                          let info = try? Net_OrchestratorInfo(serializedBytes: data),
                          let orchestrator = try? Address(bytes: info.address), info.priceInfo.pixelsPerUnit > 0 else {
                        return (url, nil)
                    }
                    let price = Double(info.priceInfo.pricePerUnit) / Double(info.priceInfo.pixelsPerUnit)
                    return (url, OrchestratorCandidate(address: orchestrator, url: url, pricePerPixel: price, stake: stakes[url] ?? 1))
                }
            }
            var found: [OrchestratorCandidate] = [], unreachable: [String] = []
            for await (url, candidate) in group {
                if let candidate { found.append(candidate) } else { unreachable.append(url) }
            }
            return (found.sorted { $0.url < $1.url }, unreachable.sorted())
        }
    }
}
