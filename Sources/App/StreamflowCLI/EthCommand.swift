import ArgumentParser

/// `streamflow eth …`: an operator's commands against Livepeer's contracts on a real chain over JSON-RPC.
struct EthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eth",
        abstract: "Livepeer's contracts on a real chain: status, fund, register, redeem, withdraw-fees.",
        discussion: """
            Every subcommand takes --rpc URL and --controller ADDR (Livepeer's Controller; the other contracts are looked
            up from it). Transactions are EIP-1559, signed with the --keystore account. Exit codes: 1 a refusal or a
            failed transaction (the reason is printed), 3 gas above --max-fee-per-gas for longer than the command waits.
            """,
        subcommands: [EthStatusCommand.self, EthFundCommand.self, EthRegisterCommand.self, EthRedeemCommand.self,
                      EthWithdrawFeesCommand.self])
}
