import ArgumentParser
import EthCrypto
import EthereumRPC
import EthereumSettlement
import EventLog
import Foundation
import JSONCore
import Payments
import Projections

/// `streamflow eth redeem`: one redemption pass over an orchestrator's winning tickets on Livepeer's TicketBroker.
struct EthRedeemCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redeem",
        abstract: "Redeem the keystore account's winning tickets in batches (batchRedeemWinningTickets): one pass.",
        discussion: """
            Tickets come from a node's event log (--log: its pending winners for this account, read-only) or from a file
            of signed tickets, one JSON object a line (--tickets). Each is tried alone first (an eth_call of redeemWinningTicket):
            a ticket the TicketBroker would refuse is reported with its reason and not sent; the rest go in batches of
            --max-batch whose gas limit is one ticket's eth_estimateGas times the count (never the batch's own estimate).
            The receipt's WinningTicketRedeemed logs say which were paid. The node's log is read, not written: the node's
            own redeemer (orchestrator/node --eth-rpc) records redemptions in its log.
            """)

    @OptionGroup var chain: EthChainOptions
    @OptionGroup var account: EthAccountOptions
    @Option(help: "A node's event log directory (opened read-only): redeem its pending winners for this account.")
    var log: String?
    @Option(help: "A file of signed tickets, one JSON object a line (with recipientRand).")
    var tickets: String?
    @Option(help: "The most tickets in one transaction.")
    var maxBatch: Int = 30
    @Option(help: "The most tickets read from --tickets or --log.")
    var maxTickets: Int = 10_000
    @Option(help: "Seconds to wait for gas under --max-fee-per-gas before exiting 3.")
    var maxWait: Double = 0

    func validate() throws {
        guard (log == nil) != (tickets == nil) else { throw ValidationError("give one of --log DIR or --tickets FILE") }
        guard (1...200).contains(maxBatch) else { throw ValidationError("--max-batch must be 1…200") }
        guard maxTickets > 0 else { throw ValidationError("--max-tickets must be positive") }
    }

    func run() async throws {
        let (node, reader) = try await chain.connect()
        let sender = try account.sender(node: node, chainID: reader.deployment.chainID)
        let candidates = try loadTickets(recipient: sender.address)
        guard !candidates.isEmpty else {
            print("no winning tickets for \(sender.address.checksummed)")
            return
        }
        let redeemer = LivepeerTicketRedeemer(sender: sender, reader: reader, maxBatch: maxBatch, confirmations: account.confirmations)
        var remaining = candidates
        var outcomes: [Hash32: TicketOutcome] = [:]
        var transactions = 0
        var gasUsed: UInt64 = 0
        while !remaining.isEmpty {
            let result = try await EthStep.run(maxWait: maxWait) { try await redeemer.redeem(remaining) }
            outcomes.merge(result.outcomes) { _, new in new }
            if let receipt = result.receipt {
                transactions += 1
                gasUsed += receipt.gasUsed
                print("batch: \(result.paid.count) paid, \(EthStep.describe(receipt)), gas limit \(result.gasLimit)")
            }
            // A ticket with an outcome is done (a retry waits for the next pass); stop when a pass settles nothing.
            let before = remaining.count
            remaining.removeAll { outcomes[$0.ticket.hash] != nil }
            if remaining.count == before { break }
        }
        let paid = outcomes.values.compactMap { if case .paid(let amount, _) = $0 { amount } else { nil } }
        let total = paid.reduce(UInt256.zero) { (try? $0 + $1) ?? .max }
        print("paid \(paid.count) of \(candidates.count) tickets: \(total) wei (\(EtherAmount.format(total))) in \(transactions) transactions, "
              + "gas \(gasUsed)" + (paid.isEmpty ? "" : " (\(gasUsed / UInt64(paid.count)) per ticket)"))
        for (hash, outcome) in outcomes.sorted(by: { $0.key < $1.key }) {
            switch outcome {
            case .paid: continue
            case .refused(let refusal): print("refused \(hash.hex): \(refusal)")
            case .retry(let reason): print("not paid yet \(hash.hex): \(reason)")
            }
        }
    }

    /// The candidates, deduplicated, addressed to `recipient`.
    private func loadTickets(recipient: Address) throws -> [SignedTicket] {
        var result: [SignedTicket] = []
        var seen = Set<Hash32>()
        func add(_ ticket: SignedTicket) throws {
            guard ticket.ticket.recipient == recipient, seen.insert(ticket.ticket.hash).inserted else { return }
            guard result.count < maxTickets else { throw CLIError("more than --max-tickets \(maxTickets) tickets: raise it or redeem in parts") }
            result.append(ticket)
        }
        if let tickets {
            guard let data = FileManager.default.contents(atPath: tickets) else { throw CLIError("cannot read \(tickets)") }
            for (index, line) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated()
            where !line.allSatisfy(\.isWhitespace) {
                do { try add(try SignedTicket(json: try JSONParser.parse(Array(line.utf8)))) } catch let error as CLIError { throw error } catch {
                    throw CLIError("\(tickets):\(index + 1): not a signed ticket: \(error)")
                }
            }
        }
        if let log {
            var options = EventLog.Options()
            options.readOnly = true
            let eventLog = try EventLog(directory: log, options: options)
            defer { eventLog.close() }
            let host = try ProjectionHost(log: eventLog, projections: [PaymentsLedgerProjection()], options: ProjectionHostOptions(persists: false))
            try host.catchUp()
            let ledger = try host.state(of: PaymentsLedgerProjection.self)
            for winner in ledger.pending.values where winner.recipient == recipient.checksummed {
                guard let json = try? JSONParser.parse(winner.ticket), let ticket = try? SignedTicket(json: json) else {
                    throw CLIError("the log holds a pending winner that is not a signed ticket")
                }
                try add(ticket)
            }
        }
        return result
    }
}
