import ArgumentParser
import EthCrypto
import EthereumRPC
import EthereumSettlement
import Foundation

/// Runs a step that sends transactions; while gas is above the cap, retries every 5 s up to `maxWait` seconds,
/// then exits 3. Other failures print their typed reason and exit 1.
enum EthStep {
    static func run<T>(maxWait: Double, _ body: () async throws -> T) async throws -> T {
        let deadline = Date().addingTimeInterval(maxWait)
        while true {
            do {
                return try await body()
            } catch let error as EthereumSettlementError {
                if case .gasPriceAboveCap = error {
                    guard Date() < deadline else {
                        FileHandle.standardError.write(Data("\(error); gave up after \(Int(maxWait)) s\n".utf8))
                        throw ExitCode(3)
                    }
                    FileHandle.standardError.write(Data("\(error)\n".utf8))
                    try await Task.sleep(for: .seconds(min(5, max(0.1, deadline.timeIntervalSinceNow))))
                    continue
                }
                throw CLIError("\(error)")
            }
        }
    }

    static func describe(_ receipt: EthereumReceipt) -> String {
        "transaction \(receipt.transactionHash.hex) in block \(receipt.blockNumber), gas \(receipt.gasUsed), cost \(receipt.gasCost) wei"
    }
}

/// `streamflow eth fund`: a broadcaster's `fundDepositAndReserve`.
struct EthFundCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fund", abstract: "Fund the keystore account's TicketBroker deposit and reserve (fundDepositAndReserve).")

    @OptionGroup var chain: EthChainOptions
    @OptionGroup var account: EthAccountOptions
    @Option(help: "Added to the deposit (wei, or e.g. 0.5eth).")
    var deposit: String
    @Option(help: "Added to the reserve (wei, or e.g. 0.5eth).")
    var reserve: String = "0"
    @Option(help: "Seconds to wait for gas under --max-fee-per-gas before exiting 3.")
    var maxWait: Double = 0

    func run() async throws {
        let deposit = try EtherAmount.parse(deposit, option: "--deposit"), reserve = try EtherAmount.parse(reserve, option: "--reserve")
        let (node, reader) = try await chain.connect()
        let sender = try account.sender(node: node, chainID: reader.deployment.chainID)
        let actions = LivepeerAccountActions(sender: sender, deployment: reader.deployment)
        let receipt = try await EthStep.run(maxWait: maxWait) { try await actions.fund(deposit: deposit, reserve: reserve) }
        let funds = try await reader.senderFunds(sender.address)
        print("funded \(sender.address.checksummed): \(EthStep.describe(receipt))")
        print("deposit \(funds.deposit) wei (\(EtherAmount.format(funds.deposit))), reserve \(funds.reserve) wei (\(EtherAmount.format(funds.reserve)))")
    }
}

/// `streamflow eth register`: an orchestrator's bond, `transcoder(rewardCut, feeShare)` and service URI.
struct EthRegisterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "register",
        abstract: "Register the keystore account as an orchestrator: bond LPT to itself, set reward cut, fee share and service URI.",
        discussion: "It joins the active set from the next initialised round, if its stake ranks in the pool.")

    @OptionGroup var chain: EthChainOptions
    @OptionGroup var account: EthAccountOptions
    @Option(help: "LPT to bond to itself (e.g. 1000lpt); 0 keeps the current bond.")
    var stake: String
    @Option(help: "Percent of rewards the orchestrator keeps.")
    var rewardCut: Double = 10
    @Option(help: "Percent of fees shared with delegators.")
    var feeShare: Double = 50
    @Option(help: "The URI broadcasters reach the orchestrator at (ServiceRegistry.setServiceURI).")
    var serviceUri: String
    @Option(help: "Seconds to wait for gas under --max-fee-per-gas before exiting 3.")
    var maxWait: Double = 0

    func validate() throws {
        guard (0...100).contains(rewardCut), (0...100).contains(feeShare) else { throw ValidationError("--reward-cut and --fee-share are percents (0…100)") }
        guard URL(string: serviceUri)?.scheme != nil else { throw ValidationError("--service-uri is not a URI: \(serviceUri)") }
    }

    func run() async throws {
        let stake = try EtherAmount.parse(stake, option: "--stake")
        let (node, reader) = try await chain.connect()
        let sender = try account.sender(node: node, chainID: reader.deployment.chainID)
        if stake > .zero {
            let balance = try await reader.tokenBalance(sender.address)
            guard balance >= stake else {
                throw CLIError("\(sender.address.checksummed) holds \(EtherAmount.format(balance, unit: "LPT")), less than --stake \(EtherAmount.format(stake, unit: "LPT"))")
            }
        }
        let actions = LivepeerAccountActions(sender: sender, deployment: reader.deployment)
        let registration = try await EthStep.run(maxWait: maxWait) {
            try await actions.register(stake: stake, rewardCutPPM: UInt64((rewardCut * 10_000).rounded()),
                                       feeSharePPM: UInt64((feeShare * 10_000).rounded()), serviceURI: serviceUri)
        }
        for (step, receipt) in registration.receipts { print("\(step): \(EthStep.describe(receipt))") }
        let transcoder = try await reader.transcoder(sender.address)
        print("registered \(sender.address.checksummed): stake \(EtherAmount.format(transcoder.totalStake, unit: "LPT")), "
              + "\(transcoder.active ? "active" : "active from round \(transcoder.activationRound)"), \(transcoder.serviceURI)")
    }
}

/// `streamflow eth withdraw-fees`: moves earned fees out of the BondingManager.
struct EthWithdrawFeesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "withdraw-fees", abstract: "Withdraw the keystore account's pending fees (BondingManager.withdrawFees).")

    @OptionGroup var chain: EthChainOptions
    @OptionGroup var account: EthAccountOptions
    @Option(help: "Where the ETH goes (default: the account itself).")
    var to: String?
    @Option(help: "How much (default: all pending fees).")
    var amount: String?
    @Option(help: "Seconds to wait for gas under --max-fee-per-gas before exiting 3.")
    var maxWait: Double = 0

    func run() async throws {
        let (node, reader) = try await chain.connect()
        let sender = try account.sender(node: node, chainID: reader.deployment.chainID)
        let recipient = try to.map { try Address($0) } ?? sender.address
        let round = try await reader.currentRound()
        let pending = try await reader.pendingFees(sender.address, round: round)
        let amount = try amount.map { try EtherAmount.parse($0, option: "--amount") } ?? pending
        guard !amount.isZero else { throw CLIError("\(sender.address.checksummed) has no pending fees to withdraw") }
        guard amount <= pending else { throw CLIError("--amount \(amount) wei is more than the pending fees, \(pending) wei") }
        let actions = LivepeerAccountActions(sender: sender, deployment: reader.deployment)
        let receipt = try await EthStep.run(maxWait: maxWait) { try await actions.withdrawFees(to: recipient, amount: amount) }
        print("withdrew \(amount) wei (\(EtherAmount.format(amount))) to \(recipient.checksummed): \(EthStep.describe(receipt))")
    }
}
