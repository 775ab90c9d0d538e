/// Why a Kafka operation failed, with librdkafka's own words where it gave some.
public enum KafkaError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A configuration property librdkafka refused (name, value, its reason).
    case configuration(name: String, reason: String)
    /// The client could not be created.
    case client(String)
    /// The broker did not acknowledge a message (librdkafka's error name and text).
    case delivery(code: Int32, reason: String)
    /// Subscribing, committing or an admin request failed.
    case request(String)
    /// The client was shut down before the operation finished.
    case closed

    public var description: String {
        switch self {
        case .configuration(let name, let reason): "kafka configuration \(name): \(reason)"
        case .client(let reason): "kafka client: \(reason)"
        case .delivery(let code, let reason): "kafka delivery failed (\(code)): \(reason)"
        case .request(let reason): "kafka request failed: \(reason)"
        case .closed: "the kafka client is closed"
        }
    }
}

/// A librdkafka client handle carried to the client's own threads (librdkafka's handles are thread-safe).
struct ClientHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}

/// The text librdkafka wrote into an error buffer.
func errorText(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
