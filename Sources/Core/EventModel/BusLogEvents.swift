public import EthCrypto
public import JSONCore

// The infrastructure's own events: a message set aside on the bus, and the log's signed checkpoints.

/// `bus.deadlettered` v1: a message no consumer could process was copied to the dead-letter topic, with the reason.
public struct BusDeadLettered: TypedEvent {
    public static let type = "bus.deadlettered"
    public static let version = 1
    public static let topic = Topic.deadLetter
    public static let requiredKeys: [EventKeys.Kind] = []

    public var sourceTopic: String
    public var partition: Int64
    public var offset: Int64
    public var consumer: String
    public var bytes: Int64
    /// unparsable, unknown-type, schema, wrong-topic or missing-data.
    public var reason: String
    public var detail: String

    public init(sourceTopic: String, partition: Int64, offset: Int64, consumer: String, bytes: Int64, reason: String, detail: String) {
        (self.sourceTopic, self.partition, self.offset, self.consumer, self.bytes, self.reason) =
            (sourceTopic, partition, offset, consumer, bytes, reason)
        self.detail = String(detail.prefix(1_000))
    }

    public var payload: JSONValue {
        ["sourceTopic": .string(sourceTopic), "partition": .integer(partition), "offset": .integer(offset), "consumer": .string(consumer),
         "bytes": .integer(bytes), "reason": .string(reason), "detail": .string(detail)]
    }

    public init(payload: PayloadReader) throws(TypedEventError) {
        sourceTopic = try payload.string("sourceTopic")
        partition = try payload.int("partition")
        offset = try payload.int("offset")
        consumer = try payload.string("consumer")
        bytes = try payload.int("bytes")
        reason = try payload.string("reason")
        detail = try payload.string("detail")
    }
}

/// `log.checkpoint` v1: the node signed the log's head (sequence and the hash of the event there) with its key.
public struct LogCheckpointSigned: TypedEvent {
    public static let type = "log.checkpoint"
    public static let version = 1
    public static let topic = Topic.settlement
    public static let requiredKeys: [EventKeys.Kind] = [.orchestrator]

    public var sequence: UInt64
    public var headHash: Hash32
    public var signer: Address
    public var sig: Signature

    public init(sequence: UInt64, headHash: Hash32, signer: Address, sig: Signature) {
        (self.sequence, self.headHash, self.signer, self.sig) = (sequence, headHash, signer, sig)
    }

    public var payload: JSONValue {
        ["sequence": .integer(Int64(clamping: sequence)), "headHash": .string(headHash.hex), "signer": .string(signer.checksummed),
         "sig": .string(sig.hex)]
    }

    public init(payload: PayloadReader) throws(TypedEventError) {
        sequence = try payload.count("sequence")
        headHash = try payload.hash("headHash")
        signer = try payload.address("signer")
        let text = try payload.string("sig")
        do { sig = try Signature(hex: text) } catch {
            throw .wrongField(event: payload.event, field: "sig", expected: "a 65-byte 0x-hex signature")
        }
    }
}
