/// Where the id, topic and keys sit inside stored content bytes, found without building a
/// String (the indexer's path: the content was checked when it was appended).
public struct ContentHeader: Sendable {
    public let id: Range<Int>
    public let topic: Range<Int>
    /// The four key fields in `EventKeys.Kind.allCases` order; an empty range is an absent key.
    public let keys: (Range<Int>, Range<Int>, Range<Int>, Range<Int>)

    /// Reads the field positions; throws when the bytes are not event content.
    public init(content: UnsafeRawBufferPointer) throws(EventDecodingError) {
        guard content.count >= 4, content[0] == 0x53, content[1] == 0x46, content[2] == 0x45, content[3] == 0x31 else {
            throw .badMagic
        }
        var offset = 4
        func field() throws(EventDecodingError) -> Range<Int> {
            guard content.count - offset >= 4 else { throw .truncated }
            var length = 0
            for index in 0..<4 { length = length << 8 | Int(content[offset + index]) }
            offset += 4
            guard content.count - offset >= length else { throw .truncated }
            defer { offset += length }
            return offset..<(offset + length)
        }
        id = try field()
        _ = try field()  // type
        guard content.count - offset >= 4 else { throw .truncated }
        offset += 4  // version
        topic = try field()
        keys = (try field(), try field(), try field(), try field())
    }

    /// The key ranges as an array, in `EventKeys.Kind.allCases` order.
    public var keyRanges: [Range<Int>] { [keys.0, keys.1, keys.2, keys.3] }
}
