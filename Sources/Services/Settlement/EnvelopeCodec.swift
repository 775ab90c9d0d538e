public import EventModel
import JSONCore

/// Envelopes as canonical JSON bytes, for the chain's outbox (events committed with the chain's state and
/// appended to the log afterwards).
enum EnvelopeCodec {
    static func encode(_ envelopes: [EventEnvelope]) throws -> [UInt8] {
        try CanonicalJSON.encode(.array(envelopes.map { envelope in
            [
                "id": .string(envelope.id), "type": .string(envelope.type), "version": .integer(Int64(envelope.version)),
                "topic": .string(envelope.topic.rawValue), "keys": envelope.keys.jsonObject, "timestamp": .integer(envelope.timestamp),
                "payload": envelope.payload,
            ]
        }))
    }

    static func decode(_ bytes: [UInt8]) throws -> [EventEnvelope] {
        guard let items = try JSONParser.parse(bytes).arrayValue else { return [] }
        return items.compactMap { item in
            guard let id = item["id"]?.stringValue, let type = item["type"]?.stringValue,
                  let version = item["version"]?.integerValue, let topic = item["topic"]?.stringValue.flatMap(Topic.init(rawValue:)),
                  let timestamp = item["timestamp"]?.integerValue, let payload = item["payload"] else { return nil }
            let keys = item["keys"]
            return EventEnvelope(
                id: id, type: type, version: Int(version), topic: topic,
                keys: EventKeys(stream: keys?["stream"]?.stringValue, session: keys?["session"]?.stringValue,
                                orchestrator: keys?["orchestrator"]?.stringValue, sender: keys?["sender"]?.stringValue),
                timestamp: timestamp, payload: payload)
        }
    }
}
