import EthCrypto
import Foundation
import JSONCore

/// `demo --eth-keys FILE`: the funded accounts the demo on a real chain uses, from the JSON line `scripts/dev-chain`
/// prints (its `accounts` but the deployer) or a JSON array of private keys (hex strings or `{"privateKey": …}`).
/// Test keys only: a file of plain private keys is for a dev chain, never for real money.
enum EthDemoAccounts {
    static func read(_ path: String) throws -> [PrivateKey] {
        guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("--eth-keys: cannot read \(path)") }
        let text = String(decoding: data, as: UTF8.self)
        let json: JSONValue
        do { json = try JSONParser.parse(text.trimmingCharacters(in: .whitespacesAndNewlines)) } catch {
            throw CLIError("--eth-keys: \(path) is not JSON: \(error)")
        }
        let deployer = json["deployer"]?["privateKey"]?.stringValue
        let entries = json["accounts"]?.arrayValue ?? json.arrayValue ?? []
        var keys: [PrivateKey] = []
        for (index, entry) in entries.enumerated() {
            guard let hex = entry.stringValue ?? entry["privateKey"]?.stringValue else {
                throw CLIError("--eth-keys: entry \(index) of \(path) has no private key")
            }
            if let deployer, hex.lowercased() == deployer.lowercased() { continue }
            do { keys.append(try PrivateKey(hex: hex)) } catch { throw CLIError("--eth-keys: entry \(index) of \(path): \(error)") }
        }
        return keys
    }
}
