import Foundation
#if canImport(Glibc)
import Glibc
#endif
public import Logging
import Synchronization

/// A swift-log handler writing one line per record in logfmt or JSON (`LogLine`) to a `LogOutput` (stderr by
/// default). The logger's label is the record's `component`.
public struct StreamflowLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    public let component: String
    public let format: LogFormat
    private let output: LogOutput

    public init(component: String, format: LogFormat, level: Logger.Level, output: LogOutput = .standardError) {
        self.component = component
        self.format = format
        logLevel = level
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        output.emit(LogLine.render(format: format, time: Date(), level: event.level, message: "\(event.message)",
                                    component: component, metadata: merged))
    }
}

/// Where log lines go. Each line is written whole with one `write(2)`, so lines from many threads never interleave
/// and nothing is left in a buffer at exit.
public struct LogOutput: Sendable {
    private let sink: @Sendable (String) -> Void

    public init(_ sink: @escaping @Sendable (String) -> Void) { self.sink = sink }

    func emit(_ line: String) { sink(line) }

    /// The process's stderr.
    public static let standardError = LogOutput { line in
        let bytes = Array((line + "\n").utf8)
        stderrLock.withLock { _ in
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
                if written <= 0 { break }
                offset += written
            }
        }
    }

    private static let stderrLock = Mutex(())
}

/// Process-wide logging setup: every `Logger` made after `bootstrap` writes through `StreamflowLogHandler`.
public enum StreamflowLogging {
    private static let bootstrapped = Mutex(false)

    /// Bootstraps swift-log once per process (later calls do nothing and return false).
    @discardableResult
    public static func bootstrap(format: LogFormat, level: Logger.Level, output: LogOutput = .standardError) -> Bool {
        bootstrapped.withLock { done in
            guard !done else { return false }
            LoggingSystem.bootstrap { label in StreamflowLogHandler(component: label, format: format, level: level, output: output) }
            done = true
            return true
        }
    }
}
