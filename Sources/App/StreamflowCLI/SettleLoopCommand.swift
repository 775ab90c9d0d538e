import ArgumentParser
import EthCrypto
import Foundation
import Settlement

/// `streamflow settle-loop` (hidden): the crash drill's child — pays winning tickets and redeems them in a
/// loop, printing "ack N" (tickets used on chain) after each step, until it is killed.
struct SettleLoopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "settle-loop", shouldDisplay: false)
    @Option var data: String
    @Option var seed: UInt64 = 1

    func run() throws {
        let drill = try SettlementDrill(directory: data, seed: seed)
        try drill.service.recover()
        while true {
            try drill.pay(tickets: 6)
            _ = try drill.service.step(gasPrice: .one)
            FileHandle.standardOutput.write(Data("ack \(drill.chain.state.usedTickets.count)\n".utf8))
        }
    }
}
