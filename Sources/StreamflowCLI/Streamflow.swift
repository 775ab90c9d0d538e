import ArgumentParser

/// The `streamflow` command: operator tools for the Streamflow transcoding market node.
@main
struct Streamflow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "streamflow",
        abstract: "Streamflow: a decentralized live-video transcoding market node (event log, tickets, settlement).",
        subcommands: [
            KeysCommand.self, SignCommand.self, RecoverCommand.self, TicketsCommand.self, TranscodeCommand.self, PixelsCommand.self, OrchestratorCommand.self, TranscoderCommand.self, BroadcastCommand.self, SimulateCommand.self, ReportCommand.self, SettleLoopCommand.self, ReplayCommand.self, SchemasCommand.self,
            BenchCommand.self, DemoCommand.self, VersionCommand.self,
        ])
}

/// An operator-facing failure: printed as one line on stderr, exit status 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
