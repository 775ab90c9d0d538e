/// Where the id, topic and keys sit inside stored content bytes, found without building a
/// String (the indexer's path: the content was checked when it was appended).
public struct ContentHeader: Sendable {
    public let id: Range<Int>
    public let topic: Range<Int>
    /// The four key fields in `EventKeys.Kind.allCases` order; an empty range is an absent key.
    public let keys: (Range<Int>, Range<Int>, Range<Int>, Range<Int>)

    /// Reads the field positions; throws when the bytes are not event content.
    public init(content: UnsafeRawBufferPointer) throws(EventDecodingError) {
        var reader = ByteReader(content)
        guard content[try reader.range(4)].elementsEqual(CanonicalEvent.magic) else { throw .badMagic }
        id = try reader.field()
        _ = try reader.field()  // type
        _ = try reader.range(4)  // version
        topic = try reader.field()
        keys = (try reader.field(), try reader.field(), try reader.field(), try reader.field())
    }

    /// The key ranges as an array, in `EventKeys.Kind.allCases` order.
    public var keyRanges: [Range<Int>] { [keys.0, keys.1, keys.2, keys.3] }
}
