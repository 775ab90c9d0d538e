/// The event families; each is one topic on the bus (a Kafka topic in distributed mode).
public enum Topic: String, Sendable, Hashable, CaseIterable, Codable, Comparable {
    case negotiation
    case segments
    case tickets
    case transcodeResults = "transcode-results"
    case verification
    case settlement
    case transcoders
    /// Messages that could not be processed, kept with the reason (distributed mode).
    case deadLetter = "dead-letter"

    public static func < (lhs: Topic, rhs: Topic) -> Bool { lhs.rawValue < rhs.rawValue }
}
