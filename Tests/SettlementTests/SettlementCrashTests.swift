import EthCrypto
import EventLog
import EventModel
import Foundation
import JSONCore
import Testing
import TestSupport
@testable import Settlement

/// The redeemer's child process is killed with SIGKILL at random moments; after each kill and restart no
/// ticket is paid twice, every submitted transaction is confirmed or closed, the log's redemptions match
/// the chain's payouts to the wei, and money is conserved.
@Suite("settlement crash safety")
struct SettlementCrashTests {
    @Test("SIGKILL during redemption at 20 random moments")
    func killLoop() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sf-drill-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var generator = SystemRandomNumberGenerator()
        var lastUsed = 0
        for round in 0..<20 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: StreamflowExecutable.path)
            process.arguments = ["settle-loop", "--data", directory, "--seed", "5"]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Wait for the first acknowledgement, then kill at a random moment.
            var seen = Data()
            while !String(decoding: seen, as: UTF8.self).contains("ack ") {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                seen.append(chunk)
            }
            usleep(UInt32.random(in: 0...60_000, using: &generator))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal, "round \(round)")

            let drill = try SettlementDrill(directory: directory, seed: 5)
            drill.start()
            try await drill.service.recover()
            let state = drill.chain.state
            #expect(state.isConserved, "round \(round): money conserved")
            var redeemed: [Hash32: UInt256] = [:]
            var submitted = Set<String>(), closed = Set<String>(), confirmed = Set<String>(), chainTransactions = Set<String>()
            try drill.log.scan { stored in
                let envelope = try stored.record().envelope
                let payload = envelope.payload
                switch envelope.type {
                case "ticket.redeemed":
                    let hash = try Hash32(hex: payload["ticketHash"]?.stringValue ?? "")
                    #expect(redeemed[hash] == nil, "round \(round): \(hash) recorded redeemed twice")
                    let paid = try UInt256(decimal: payload["paidFromDeposit"]?.stringValue ?? "0")
                        + UInt256(decimal: payload["paidFromReserve"]?.stringValue ?? "0")
                    redeemed[hash] = paid
                case "redemption.submitted": submitted.insert(payload["txHash"]?.stringValue ?? "")
                case "redemption.confirmed":
                    closed.insert(payload["txHash"]?.stringValue ?? "")
                    confirmed.insert(String((payload["txHash"]?.stringValue ?? "").dropFirst(2)))
                case "redemption.failed": closed.insert(payload["txHash"]?.stringValue ?? "")
                case "chain.transaction": chainTransactions.insert(payload["id"]?.stringValue ?? "")
                default: break
                }
                return true
            }
            #expect(submitted.isSubset(of: closed), "round \(round): a submitted transaction was left open")
            #expect(confirmed.isSubset(of: chainTransactions.map { String($0.dropFirst(2)) }.reduce(into: Set<String>()) { $0.insert($1) }),
                    "round \(round): a confirmed redemption has no chain.transaction event")
            #expect(Set(redeemed.keys) == state.usedTickets, "round \(round): the log's redemptions are the chain's used tickets")
            let loggedTotal = redeemed.values.reduce(UInt256.zero) { (try? $0 + $1) ?? .max }
            let chainTotal = state.fees.values.flatMap(\.values).reduce(UInt256.zero) { (try? $0 + $1.total) ?? .max }
            #expect(loggedTotal == chainTotal, "round \(round): redemptions in the log reconcile with the chain's fees")
            #expect(state.usedTickets.count >= lastUsed)
            lastUsed = state.usedTickets.count
            await drill.close()
        }
        #expect(lastUsed > 20)
    }
}
