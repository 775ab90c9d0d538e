import ArgumentParser
import EthCrypto
import Foundation
import Projections
import Settlement

/// `streamflow settle-loop` (hidden): the crash drill's child — pays winning tickets and redeems them in a
/// loop, printing "ack N" (tickets used on chain) after each step, until it is killed.
struct SettleLoopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "settle-loop", shouldDisplay: false)
    @Option var data: String
    @Option var seed: UInt64 = 1

    func run() async throws {
        let drill = try SettlementDrill(directory: data, seed: seed)
        drill.start()
        try await drill.service.recover()
        while true {
            try await drill.pay(tickets: 6)
            _ = try await drill.service.step(gasPrice: .one)
            FileHandle.standardOutput.write(Data("ack \(drill.chain.state.usedTickets.count)\n".utf8))
        }
    }
}
