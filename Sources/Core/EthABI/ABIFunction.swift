public import EthCrypto

/// A contract function: its name, argument and return types, and the 4-byte selector of its signature.
public struct ABIFunction: Sendable, Hashable {
    public let name: String
    public let inputs: [ABIType]
    public let outputs: [ABIType]

    public init(_ name: String, _ inputs: [ABIType] = [], returns outputs: [ABIType] = []) {
        self.name = name
        self.inputs = inputs
        self.outputs = outputs
    }

    /// `name(type,type,…)`, as hashed for the selector.
    public var signature: String { name + "(" + inputs.map(\.description).joined(separator: ",") + ")" }

    public var selector: [UInt8] { Array(Keccak256.hash(Array(signature.utf8)).bytes.prefix(4)) }

    /// Call data: the selector followed by the encoded arguments.
    public func callData(_ arguments: [ABIValue] = []) throws(ABIError) -> [UInt8] {
        selector + (try ABICodec.encode(arguments, as: inputs))
    }

    /// Decodes what the call returned.
    public func decodeOutput(_ data: [UInt8]) throws(ABIError) -> [ABIValue] {
        try ABICodec.decode(outputs, from: data)
    }
}

/// A contract event: topic 0 is the keccak of its signature; indexed arguments are further topics.
public struct ABIEvent: Sendable, Hashable {
    public let name: String
    /// Every argument in order, with whether it is indexed.
    public let arguments: [(type: ABIType, indexed: Bool)]

    public init(_ name: String, _ arguments: [(ABIType, Bool)]) {
        self.name = name
        self.arguments = arguments.map { (type: $0.0, indexed: $0.1) }
    }

    public static func == (lhs: ABIEvent, rhs: ABIEvent) -> Bool { lhs.signature == rhs.signature }
    public func hash(into hasher: inout Hasher) { hasher.combine(signature) }

    public var signature: String { name + "(" + arguments.map(\.type.description).joined(separator: ",") + ")" }
    public var topic: Hash32 { Keccak256.hash(Array(signature.utf8)) }

    /// The arguments of a log of this event, in declaration order (indexed static values from the topics).
    public func decode(topics: [Hash32], data: [UInt8]) throws(ABIError) -> [ABIValue] {
        guard topics.first == topic else { throw .typeMismatch(expected: signature, got: topics.first?.hex ?? "no topic") }
        let indexed = arguments.filter(\.indexed)
        guard topics.count == indexed.count + 1 else { throw .typeMismatch(expected: "\(indexed.count + 1) topics", got: "\(topics.count)") }
        let unindexed = try ABICodec.decode(arguments.filter { !$0.indexed }.map(\.type), from: data)
        var (topicIndex, dataIndex) = (1, 0)
        var values: [ABIValue] = []
        for argument in arguments {
            if argument.indexed {
                values.append(try ABICodec.decode([argument.type], from: topics[topicIndex].bytes)[0])
                topicIndex += 1
            } else {
                values.append(unindexed[dataIndex])
                dataIndex += 1
            }
        }
        return values
    }
}
