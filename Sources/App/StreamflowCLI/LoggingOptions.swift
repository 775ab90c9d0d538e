import ArgumentParser
import Logging
import Telemetry

/// `--log-format text|json` and `--log-level`, shared by the long-running commands (orchestrator, broadcast).
struct LoggingOptions: ParsableArguments {
    @Option(help: "Log lines on stderr: text (logfmt) or json.") var logFormat = "text"
    @Option(help: "Lowest level logged: trace, debug, info, notice, warning, error, critical.") var logLevel = "info"

    func validate() throws {
        guard LogFormat(rawValue: logFormat) != nil else {
            throw ValidationError("--log-format must be one of \(LogFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    /// Bootstraps the process's logging (as chosen) and metrics; once per process.
    func bootstrap() {
        StreamflowLogging.bootstrap(format: LogFormat(rawValue: logFormat) ?? .text, level: Logger.Level(rawValue: logLevel) ?? .info)
        MetricsRegistry.bootstrapProcess()
    }
}

/// A command that logs as its `--log-format`/`--log-level` say; every other command logs errors only.
protocol LoggingCommand {
    var logging: LoggingOptions { get }
}

extension OrchestratorCommand: LoggingCommand {}
extension BroadcastCommand: LoggingCommand {}
extension NodeCommand: LoggingCommand {}
