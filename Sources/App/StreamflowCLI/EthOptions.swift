import ArgumentParser
import EthCrypto
import EthereumRPC
import EthereumSettlement
import Foundation

/// Where the chain is: a JSON-RPC URL and Livepeer's Controller (go-livepeer's `-ethUrl` and `-ethController`).
struct EthChainOptions: ParsableArguments {
    @Option(help: "The Ethereum node's JSON-RPC URL (http or https).")
    var rpc: String
    @Option(help: "Livepeer's Controller address; every other contract is looked up from it.")
    var controller: String
    @Option(help: "Refuse a node on another chain (Arbitrum One is 42161).")
    var chainId: UInt64?
    @Option(help: "Seconds to wait for each JSON-RPC answer.")
    var rpcTimeout: Double = 30

    func validate() throws {
        guard rpc.hasPrefix("http://") || rpc.hasPrefix("https://") else { throw ValidationError("--rpc must be an http(s) URL") }
        guard (try? Address(controller)) != nil else { throw ValidationError("--controller is not an address: \(controller)") }
        guard rpcTimeout > 0, rpcTimeout <= 600 else { throw ValidationError("--rpc-timeout must be in (0, 600] seconds") }
    }

    /// The node and Livepeer's contracts on it.
    func connect() async throws -> (node: EthereumNode, reader: LivepeerReader) {
        let node = EthereumNode(rpc: JSONRPCClient(url: rpc, timeout: .milliseconds(Int64(rpcTimeout * 1000))))
        let deployment = try await LivepeerDeployment.resolve(node: node, controller: try Address(controller), expectedChainID: chainId)
        return (node, LivepeerReader(node: node, deployment: deployment))
    }
}

/// The account that signs: a keystore (and its password), the fee cap, and where signed transactions are journaled.
struct EthAccountOptions: ParsableArguments {
    @Option(help: "The keystore v3 file of the account that sends the transactions.")
    var keystore: String
    @OptionGroup var password: PasswordOptions
    @Option(help: "Never offer more than this per gas (e.g. 50gwei); above it the command waits up to --max-wait seconds, then exits 3.")
    var maxFeePerGas: String?
    @Option(help: "Append every signed transaction (raw and hash) to this file, synced, before it is broadcast.")
    var journal: String?
    @Option(help: "Blocks a receipt must be deep before it counts.")
    var confirmations: UInt64 = 1

    func sender(node: EthereumNode, chainID: UInt64) throws -> TransactionSender {
        let key = try password.key(inKeystore: keystore)
        let cap = try maxFeePerGas.map { try EtherAmount.parse($0, option: "--max-fee-per-gas") }
        let journalPath = journal
        return TransactionSender(node: node, key: key, chainID: chainID, policy: FeePolicy(maxFeePerGasCap: cap), journal: { signed in
            guard let journalPath else { return }
            try TransactionJournalFile.append(signed, to: journalPath)
        })
    }
}

/// Amounts on the command line: a wei integer, or a decimal with a unit (`1.5eth`, `1.5lpt`, `20gwei`).
enum EtherAmount {
    static func parse(_ text: String, option: String) throws -> UInt256 {
        let lower = text.lowercased().trimmingCharacters(in: .whitespaces)
        let units: [(String, Int)] = [("gwei", 9), ("ether", 18), ("eth", 18), ("lpt", 18), ("wei", 0)]
        var digits = lower, decimals = 0
        for (suffix, places) in units where lower.hasSuffix(suffix) {
            digits = String(lower.dropLast(suffix.count))
            decimals = places
            break
        }
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty || parts.count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              parts.count == 1 || parts[1].count <= decimals else {
            throw ValidationError("\(option): not an amount: \(text) (wei, or a decimal with gwei, eth or lpt)")
        }
        let fraction = parts.count == 2 ? String(parts[1]) : ""
        let whole = String(parts[0]) + fraction + String(repeating: "0", count: decimals - fraction.count)
        do { return try UInt256(decimal: whole.isEmpty ? "0" : whole) } catch { throw ValidationError("\(option): \(text) is too large") }
    }

    /// wei as a decimal ether (or LPT) amount, trailing zeros dropped.
    static func format(_ wei: UInt256, unit: String = "ETH") -> String {
        var text = wei.description
        if text.count <= 18 { text = String(repeating: "0", count: 19 - text.count) + text }
        let whole = text.dropLast(18), fraction = text.suffix(18).reversed().drop { $0 == "0" }.reversed()
        return fraction.isEmpty ? "\(whole) \(unit)" : "\(whole).\(String(fraction)) \(unit)"
    }
}

/// The `--journal` file: one JSON line per signed transaction, written and synced before the broadcast.
enum TransactionJournalFile {
    static func append(_ signed: SignedEIP1559Transaction, to path: String) throws {
        let line = "{\"hash\":\"\(signed.hash.hex)\",\"nonce\":\(signed.transaction.nonce),\"raw\":\"\(Hex.encode(signed.raw))\"}\n"
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                throw CLIError("cannot create the journal \(path)")
            }
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(line.utf8))
        try handle.synchronize()
    }
}
