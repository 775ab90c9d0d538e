public import EventModel

/// Several events of one topic family and partition key as one Kafka message: the value is a JSON array of the
/// envelopes' canonical JSON, in order, and the header `streamflow-batch` gives their count. A broker and
/// librdkafka cost about the same per message whatever its size, so a busy producer sends fewer, larger
/// messages; order per key holds because a key's events are batched in order. The log sink reads both forms.
/// Transcode requests always travel alone (a worker claims one segment per message).
public enum BatchMessage {
    public static let countHeader = "streamflow-batch"
    /// A batch is closed at this many bytes of value (brokers refuse messages over ~1 MB by default).
    public static let maxBytes = 512 * 1_024

    /// The messages for `events`: single messages when `eventsPerMessage` is 1; otherwise each key's events in
    /// order, up to `eventsPerMessage` (and `maxBytes`) per message. An event with headers of its own (binary
    /// data) travels alone, after the batch of its key that precedes it.
    public static func messages(for events: [EventEnvelope], topics: BusTopics, eventsPerMessage: Int,
                                headers: [String: [KafkaHeader]] = [:]) throws -> [OutgoingMessage] {
        guard eventsPerMessage > 1 else {
            return try events.map { try EnvelopeMessage.encode($0, topics: topics, headers: headers[$0.id] ?? []) }
        }
        struct Open {
            var events: [EventEnvelope] = []
            var values: [[UInt8]] = []
            var bytes = 0
        }
        var open: [String: Open] = [:]
        var order: [String] = []  // the keys in the order their batches opened, so output follows input
        var messages: [OutgoingMessage] = []
        func close(_ group: String) {
            guard let batch = open.removeValue(forKey: group), !batch.events.isEmpty else { return }
            messages.append(message(batch.events, values: batch.values, topics: topics))
        }
        for event in events {
            let group = event.topic.rawValue + "\u{0}" + (event.keys.partitionKey ?? "")
            if let own = headers[event.id], !own.isEmpty {
                close(group)
                messages.append(try EnvelopeMessage.encode(event, topics: topics, headers: own))
                continue
            }
            let value = try EnvelopeMessage.value(of: event)
            if let batch = open[group], batch.events.count >= eventsPerMessage || batch.bytes + value.count + 1 > maxBytes {
                close(group)
            }
            if open[group] == nil {
                open[group] = Open()
                order.append(group)
            }
            open[group]!.events.append(event)
            open[group]!.values.append(value)
            open[group]!.bytes += value.count + 1
        }
        for group in order { close(group) }
        return messages
    }

    /// One message of envelopes that share topic and partition key (already encoded as `values`).
    private static func message(_ events: [EventEnvelope], values: [[UInt8]], topics: BusTopics) -> OutgoingMessage {
        guard events.count > 1 else {
            return OutgoingMessage(topic: topics.name(events[0].topic), key: events[0].keys.partitionKey.map { Array($0.utf8) },
                                   value: values[0], headers: [KafkaHeader(EnvelopeMessage.typeHeader, Array(events[0].type.utf8))])
        }
        var value: [UInt8] = [UInt8(ascii: "[")]
        value.reserveCapacity(values.reduce(2) { $0 + $1.count + 1 })
        for (index, element) in values.enumerated() {
            if index > 0 { value.append(UInt8(ascii: ",")) }
            value.append(contentsOf: element)
        }
        value.append(UInt8(ascii: "]"))
        var headers = [KafkaHeader(countHeader, Array(String(events.count).utf8))]
        if events.allSatisfy({ $0.type == events[0].type }) {
            headers.append(KafkaHeader(EnvelopeMessage.typeHeader, Array(events[0].type.utf8)))
        }
        return OutgoingMessage(topic: topics.name(events[0].topic), key: events[0].keys.partitionKey.map { Array($0.utf8) },
                               value: value, headers: headers)
    }
}
