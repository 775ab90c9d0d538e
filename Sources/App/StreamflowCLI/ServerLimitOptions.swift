import ArgumentParser
import Edge

/// The limits every server of a node applies (orchestrator, broadcaster, node): one body budget for the process and
/// each listener's connection limits.
struct ServerLimitOptions: ParsableArguments {
    @Option(help: "Request-body bytes held in memory at once by the whole node; a request beyond gets 503 with Retry-After.")
    var maxBodyBytesInFlight = BodyBudget.defaultLimit
    @Option(help: "Largest body one request may send (413 beyond).") var maxRequestBodyBytes = BodyBudget.defaultRequestLimit
    @Option(help: "Open connections per listener at most (lowered to fit the open-file limit).")
    var maxConnections = ConnectionLimits.standard.maxConnections
    @Option(help: "Open connections from one client address per listener at most.")
    var maxConnectionsPerAddress = ConnectionLimits.standard.maxPerAddress
    @Option(help: "Seconds a new connection has to finish its TLS handshake and send a request head.")
    var requestTimeout: Double = 10
    @Option(help: "Seconds a connection may stay idle (no request in progress) before it is closed.") var idleTimeout: Double = 60

    func validate() throws {
        guard maxBodyBytesInFlight > 0, maxRequestBodyBytes > 0, maxRequestBodyBytes <= maxBodyBytesInFlight else {
            throw ValidationError("--max-request-body-bytes must be positive and at most --max-body-bytes-in-flight")
        }
        guard maxConnections > 0, maxConnectionsPerAddress > 0, maxConnectionsPerAddress <= maxConnections else {
            throw ValidationError("--max-connections-per-address must be positive and at most --max-connections")
        }
        guard requestTimeout > 0, idleTimeout > 0 else { throw ValidationError("--request-timeout and --idle-timeout must be positive") }
    }

    /// The limits, with the process's open-file limit raised to its hard limit first (as Go's runtime does).
    func limits() -> ServerLimits {
        ConnectionLimits.raiseOpenFileLimit()
        return ServerLimits(budget: BodyBudget(limit: maxBodyBytesInFlight, requestLimit: maxRequestBodyBytes),
                            connections: ConnectionLimits(maxConnections: maxConnections, maxPerAddress: maxConnectionsPerAddress,
                                                          requestTimeout: .milliseconds(Int64(requestTimeout * 1_000)),
                                                          idleTimeout: .milliseconds(Int64(idleTimeout * 1_000))))
    }

    /// The limits in force, for the start-up log line.
    var settings: [String: String] {
        ["max-body-bytes-in-flight": "\(maxBodyBytesInFlight)", "max-connections": "\(maxConnections)",
         "max-connections-per-address": "\(maxConnectionsPerAddress)", "request-timeout": "\(requestTimeout)",
         "idle-timeout": "\(idleTimeout)"]
    }
}
