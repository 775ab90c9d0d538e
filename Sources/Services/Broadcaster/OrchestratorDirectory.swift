public import EthCrypto
import Wire

/// Turns orchestrator addresses (their gRPC `host:port`, as go-livepeer's `-orchAddr`) into candidates by
/// calling GetOrchestrator on each, in parallel, each call with its own deadline; those that do not answer are
/// left out (and named), and so are those go-livepeer's discovery would drop (capabilities the job needs not offered).
public enum OrchestratorDirectory {
    public static func discover(urls: [String], key: PrivateKey, timeout: Double = 5, stakes: [String: Double] = [:],
                                offchain: Bool = false) async -> (found: [OrchestratorCandidate], unreachable: [String]) {
        let client = OrchestratorClient(key: key, timeout: .milliseconds(Int64(timeout * 1_000)))
        return await withTaskGroup(of: (String, OrchestratorCandidate?).self) { group in
            for url in urls {
                group.addTask {
                    guard let info = try? await client.getOrchestrator(url, offchain: offchain),
                          let orchestrator = try? Address(bytes: info.address),
                          info.priceInfo.pixelsPerUnit > 0 || (offchain && info.priceInfo.pricePerUnit == 0),
                          LivepeerCapabilities.passesDiscovery(job: LivepeerCapabilities.job(), info: info) else {
                        return (url, nil)
                    }
                    let price = Double(info.priceInfo.pricePerUnit) / Double(max(1, info.priceInfo.pixelsPerUnit))
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
