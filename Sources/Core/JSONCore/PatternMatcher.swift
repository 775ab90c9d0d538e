/// A compiled `pattern`: the project's own hex and decimal patterns are matched by hand (fast,
/// allocation-free); any other pattern by Swift's Regex, searched unanchored as JSON Schema says. A Regex is not
/// Sendable, so other patterns keep their checked source and are compiled where they are matched (none of the
/// catalog's schemas needs one).
struct PatternMatcher: Sendable {
    let source: String
    private let kind: Kind

    private enum Kind: Sendable {
        /// ^0x followed by hex digits: exact count (or any even count when nil); lower-case only or any case.
        case hex(count: Int?, allowUpper: Bool)
        /// ^(0|[1-9][0-9]{0,maxExtra})$
        case decimal(maxDigits: Int)
        case regex
    }

    init(_ source: String, path: String) throws(JSONSchemaError) {
        self.source = source
        switch source {
        case "^0x[0-9a-fA-F]{40}$": kind = .hex(count: 40, allowUpper: true)
        case "^0x[0-9a-f]{64}$": kind = .hex(count: 64, allowUpper: false)
        case "^0x([0-9a-f]{2})*$": kind = .hex(count: nil, allowUpper: false)
        case "^(0|[1-9][0-9]{0,77})$": kind = .decimal(maxDigits: 78)
        default:
            do { _ = try Regex(source); kind = .regex } catch {
                throw .invalid("pattern \(source) does not compile: \(error)", path: path)
            }
        }
    }

    func matches(_ text: String) -> Bool {
        if case .regex = kind { return (try? Regex(source)).map { text.contains($0) } ?? false }
        var text = text
        return text.withUTF8 { matches(utf8: $0) } ?? false
    }

    /// The verdict on UTF-8 bytes for the hand-matched patterns; nil for a regex (which needs a String).
    func matches(utf8: UnsafeBufferPointer<UInt8>) -> Bool? {
        switch kind {
        case .hex(let count, let allowUpper):
            guard utf8.count >= 2, utf8[0] == 0x30, utf8[1] == 0x78 else { return false }
            let digits = utf8.count - 2
            if let count, digits != count { return false }
            if count == nil, digits % 2 != 0 { return false }
            var index = 2
            while index < utf8.count {
                let byte = utf8[index]
                guard (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66)
                    || (allowUpper && byte >= 0x41 && byte <= 0x46) else { return false }
                index += 1
            }
            return true
        case .decimal(let maxDigits):
            guard !utf8.isEmpty, utf8.count <= maxDigits else { return false }
            var index = 0
            while index < utf8.count {
                guard utf8[index] >= 0x30 && utf8[index] <= 0x39 else { return false }
                index += 1
            }
            return utf8.count == 1 || utf8[0] != 0x30
        case .regex:
            return nil
        }
    }
}
