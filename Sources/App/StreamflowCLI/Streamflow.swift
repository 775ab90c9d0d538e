import ArgumentParser
import Logging
import OperatorConfig
import Telemetry

/// The `streamflow` command: operator tools for the Streamflow transcoding market node.
@main
struct Streamflow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "streamflow",
        abstract: "Streamflow: a decentralized live-video transcoding market node (event log, tickets, settlement).",
        subcommands: [
            KeysCommand.self, SignCommand.self, RecoverCommand.self, TicketsCommand.self, TranscodeCommand.self, PixelsCommand.self, OrchestratorCommand.self, NodeCommand.self, TranscoderCommand.self, BroadcastCommand.self, BroadcasterCommand.self, SimulateCommand.self, ReportCommand.self, SettleLoopCommand.self, ReplayCommand.self, SchemasCommand.self, EthCommand.self,
            BenchCommand.self, DemoCommand.self, VersionCommand.self,
        ])

    /// Expands `--config FILE` (a bad file exits 64 naming the key), bootstraps logging and metrics once (node commands
    /// as their `--log-format`/`--log-level` say, the others errors only), then parses again and runs the command.
    nonisolated static func main() async {
        let arguments: [String]
        do {
            arguments = try ConfigFile.expand(Array(CommandLine.arguments.dropFirst()), schemas: ConfigKeys.all)
            let parsed = try parseAsRoot(arguments)
            if let node = parsed as? any LoggingCommand {
                node.logging.bootstrap()
            } else if parsed is SimulateMarketCommand {
                // The simulated nodes log every fault they are dealt; the run's report says what happened.
                StreamflowLogging.bootstrap(format: .text, level: .critical)
            } else {
                StreamflowLogging.bootstrap(format: .text, level: .error)
            }
        } catch let error as ConfigError {
            exit(withError: ValidationError(error.description))
        } catch {
            exit(withError: error)
        }
        await main(arguments)
    }
}

/// An operator-facing failure: printed as one line on stderr, exit status 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
