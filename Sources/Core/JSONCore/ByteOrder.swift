/// The order canonical JSON sorts object keys in: bytes of their UTF-8, a proper prefix first.
enum ByteOrder {
    /// −1, 0 or 1.
    static func compare(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        let shared = min(a.count, b.count)
        var position = 0
        while position < shared {
            if a[position] != b[position] { return a[position] < b[position] ? -1 : 1 }
            position += 1
        }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }
}
