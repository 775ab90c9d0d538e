import OperatorConfig

/// The keys `--config FILE` accepts per command: the commands' long flag names (kept in step with their options by
/// a test that compares them with `--experimental-dump-help`).
enum ConfigKeys {
    static let logging: [String: ConfigValueKind] = ["log-format": .string, "log-level": .string]
    /// A node's settlement on a real chain (SettlementOptions).
    static let ethereum: [String: ConfigValueKind] = [
        "eth-rpc": .string, "eth-controller": .string, "eth-chain-id": .integer, "eth-max-fee-per-gas": .string,
        "eth-max-batch": .integer, "eth-poll-seconds": .number, "eth-initialize-round": .flag,
    ]

    /// The servers' limits (ServerLimitOptions), on every command that serves.
    static let serverLimits: [String: ConfigValueKind] = [
        "max-body-bytes-in-flight": .integer, "max-request-body-bytes": .integer, "max-connections": .integer,
        "max-connections-per-address": .integer, "request-timeout": .number, "idle-timeout": .number,
    ]

    static let orchestrator = ConfigSchema(command: "orchestrator", keys: logging.merging(serverLimits) { first, _ in first }
        .merging(ethereum) { first, _ in first }.merging([
        "host": .string, "port": .integer, "out": .string, "price-per-pixel": .integer, "profiles": .list,
        "capacity": .integer, "tamper-renditions": .flag, "http-port": .integer, "tls-cert": .string, "tls-key": .string,
        "no-tls": .flag, "transcoder-secret": .string, "transcoder-timeout": .number, "grpc-port": .integer, "offchain": .flag,
        "data": .string, "keystore": .string, "password-file": .string, "chain": .string, "gas-price-wei": .integer,
        "ticket-ev": .integer, "ticket-multiplier": .integer, "redeem-min-tickets": .integer, "redeem-every": .number,
        "block-seconds": .number,
        "stream-idle-timeout": .number, "max-encoder-streams": .integer,
    ]) { first, _ in first })

    static let broadcast = ConfigSchema(command: "broadcast", keys: logging.merging([
        "orchestrators": .list, "out": .string, "profiles": .list, "segment-seconds": .number,
        "max-price-per-pixel": .number, "metrics-port": .integer, "metrics-host": .string, "attempt-timeout": .number,
        "keystore": .string, "password-file": .string, "offchain": .flag, "http2": .flag,
        "eth-rpc": .string, "eth-controller": .string,
    ]) { first, _ in first })

    /// Distributed mode's shared options (KafkaOptions).
    static let kafka: [String: ConfigValueKind] = [
        "kafka": .list, "topic-prefix": .string, "partitions": .integer, "replication": .integer, "inline-limit": .integer,
        "store": .string, "kafka-property": .list,
    ]

    static let node = ConfigSchema(command: "node", keys: logging.merging(kafka) { first, _ in first }.merging(serverLimits) { first, _ in first }
        .merging(ethereum) { first, _ in first }.merging([
        "data": .string, "host": .string, "port": .integer, "http-port": .integer, "grpc-port": .integer, "price-per-pixel": .integer,
        "profiles": .list, "capacity": .integer, "fleet-timeout": .number, "log-group": .string, "no-tls": .flag,
        "keystore": .string, "password-file": .string, "chain": .string, "gas-price-wei": .integer, "ticket-ev": .integer,
        "ticket-multiplier": .integer, "redeem-min-tickets": .integer, "redeem-every": .number, "block-seconds": .number,
        "checkpoint-events": .integer, "checkpoint-seconds": .number,
    ]) { first, _ in first })

    static let transcoder = ConfigSchema(command: "transcoder", keys: kafka.merging([
        "orchestrator": .string, "secret": .string, "capacity": .integer, "work": .string, "group": .string,
        "worker-id": .string, "stream-idle-timeout": .number, "max-encoder-streams": .integer,
    ]) { first, _ in first })

    static let all = [orchestrator, broadcast, node, transcoder]
}
