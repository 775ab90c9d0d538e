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
        var open: [Group: Open] = [:]
        var order: [Group] = []  // the groups in the order their batches opened, so output follows input
        var messages: [OutgoingMessage] = []
        var scratch: [UInt8] = []
        func close(_ group: Group) {
            guard let batch = open.removeValue(forKey: group) else { return }
            messages.append(message(batch, group: group, topics: topics))
        }
        for event in events {
            let group = Group(topic: event.topic, key: event.keys.partitionKey)
            if let own = headers[event.id], !own.isEmpty {
                close(group)
                messages.append(try EnvelopeMessage.encode(event, topics: topics, headers: own))
                continue
            }
            scratch.removeAll(keepingCapacity: true)
            try EnvelopeMessage.append(event, to: &scratch)
            if let batch = open[group], batch.count >= eventsPerMessage || batch.value.count + scratch.count + 2 > maxBytes {
                close(group)
            }
            if open[group] == nil {
                open[group] = Open(type: event.type)
                order.append(group)
            }
            open[group]!.add(scratch, type: event.type)
        }
        for group in order { close(group) }
        return messages
    }

    /// Events of one topic and partition key share a message.
    private struct Group: Hashable {
        let topic: Topic
        let key: String?
    }

    /// A batch being filled: its elements written into the value as they come.
    private struct Open {
        var value: [UInt8] = [UInt8(ascii: "[")]
        var count = 0
        let type: String
        var sameType = true
        /// Where the first element starts and ends (a batch of one is sent as that element alone).
        var firstEnd = 0

        init(type: String) {
            self.type = type
            value.reserveCapacity(16 * 1_024)
        }

        mutating func add(_ element: [UInt8], type: String) {
            if count > 0 { value.append(UInt8(ascii: ",")) }
            value.append(contentsOf: element)
            if count == 0 { firstEnd = value.count }
            count += 1
            if type != self.type { sameType = false }
        }
    }

    /// One message of the events of `group` (a single envelope when there is one).
    private static func message(_ batch: Open, group: Group, topics: BusTopics) -> OutgoingMessage {
        let key = group.key.map { Array($0.utf8) }
        let typeHeader = KafkaHeader(EnvelopeMessage.typeHeader, Array(batch.type.utf8))
        guard batch.count > 1 else {
            return OutgoingMessage(topic: topics.name(group.topic), key: key, value: Array(batch.value[1..<batch.firstEnd]),
                                   headers: [typeHeader])
        }
        var value = batch.value
        value.append(UInt8(ascii: "]"))
        var headers = [KafkaHeader(countHeader, Array(String(batch.count).utf8))]
        if batch.sameType { headers.append(typeHeader) }
        return OutgoingMessage(topic: topics.name(group.topic), key: key, value: value, headers: headers)
    }
}
