import ArgumentParser
import EthCrypto
import EthereumRPC
import EthereumSettlement
import Foundation
import JSONCore

/// `streamflow eth status`: the round, the active set with service URIs, a sender's funds, an orchestrator's fees.
struct EthStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "The chain's round, Livepeer's active set, a sender's deposit and reserve, pending fees.")

    @OptionGroup var chain: EthChainOptions
    @Option(help: "Also show this broadcaster's deposit, reserve and unlock state.")
    var sender: String?
    @Option(help: "Also show this orchestrator's (or delegator's) pending fees.")
    var orchestrator: String?
    @Option(help: "The most orchestrators of the pool to list.")
    var limit: Int = 100
    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws {
        if let sender, (try? Address(sender)) == nil { throw ValidationError("--sender is not an address: \(sender)") }
        if let orchestrator, (try? Address(orchestrator)) == nil { throw ValidationError("--orchestrator is not an address: \(orchestrator)") }
        guard (1...1000).contains(limit) else { throw ValidationError("--limit must be 1…1000") }
    }

    func run() async throws {
        let (node, reader) = try await chain.connect()
        let block = try await node.blockNumber()
        let baseFee = try await node.nextBaseFee()
        let round = try await reader.currentRound()
        let initialized = try await reader.currentRoundInitialized()
        let roundLength = try await reader.roundLength()
        let validity = try await reader.ticketValidityPeriod()
        let pool = try await reader.transcoderPool(limit: limit)
        let d = reader.deployment
        var object: [String: JSONValue] = [
            "chainId": .integer(Int64(d.chainID)), "block": .integer(Int64(block)), "nextBaseFeePerGas": .string(baseFee.description),
            "round": .integer(Int64(round)), "roundInitialized": .bool(initialized), "roundLength": .integer(Int64(roundLength)),
            "ticketValidityRounds": .integer(Int64(validity)),
            "contracts": .object(["Controller": .string(d.controller.checksummed), "TicketBroker": .string(d.ticketBroker.checksummed),
                                  "BondingManager": .string(d.bondingManager.checksummed), "RoundsManager": .string(d.roundsManager.checksummed),
                                  "ServiceRegistry": .string(d.serviceRegistry.checksummed), "LivepeerToken": .string(d.livepeerToken.checksummed)]),
            "pool": .array(pool.map { t in
                .object(["address": .string(t.address.checksummed), "stake": .string(t.totalStake.description), "active": .bool(t.active),
                         "rewardCutPPM": .string(t.rewardCut.description), "feeSharePPM": .string(t.feeShare.description),
                         "serviceURI": .string(t.serviceURI)])
            }),
        ]
        var lines = [
            "chain \(d.chainID), block \(block), next base fee \(baseFee) wei",
            "round \(round) (\(initialized ? "initialised" : "NOT initialised")), \(roundLength) blocks a round, tickets valid \(validity) rounds",
            "TicketBroker \(d.ticketBroker.checksummed), BondingManager \(d.bondingManager.checksummed)",
            "transcoder pool (\(pool.count)):",
        ] + pool.map { t in
            "  \(t.address.checksummed)  stake \(EtherAmount.format(t.totalStake, unit: "LPT"))  reward cut \(Self.percent(t.rewardCut))"
                + "  fee share \(Self.percent(t.feeShare))  \(t.active ? "active" : "inactive")  \(t.serviceURI.isEmpty ? "(no URI)" : t.serviceURI)"
        }
        if let sender {
            let address = try Address(sender)
            let funds = try await reader.senderFunds(address)
            object["sender"] = .object(["address": .string(address.checksummed), "deposit": .string(funds.deposit.description),
                                        "reserve": .string(funds.reserve.description), "withdrawRound": .string(funds.withdrawRound.description)])
            lines.append("sender \(address.checksummed): deposit \(EtherAmount.format(funds.deposit)), reserve \(EtherAmount.format(funds.reserve))"
                         + (funds.withdrawRound.isZero ? "" : ", unlocking: withdrawable from round \(funds.withdrawRound)"))
        }
        if let orchestrator {
            let address = try Address(orchestrator)
            let fees = try await reader.pendingFees(address, round: round)
            object["pendingFees"] = .object(["address": .string(address.checksummed), "wei": .string(fees.description)])
            lines.append("pending fees of \(address.checksummed): \(EtherAmount.format(fees)) (\(fees) wei)")
        }
        if json {
            print(String(decoding: try CanonicalJSON.encode(.object(object)), as: UTF8.self))
        } else {
            print(lines.joined(separator: "\n"))
        }
    }

    static func percent(_ ppm: UInt256) -> String {
        let value = ppm.uint64Value ?? 0
        return value % 10_000 == 0 ? "\(value / 10_000)%" : String(format: "%.4g%%", Double(value) / 10_000)
    }
}
