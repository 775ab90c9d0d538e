/// Why a wire message could not be turned into Streamflow's types: the field and what was wrong with it.
public enum WireError: Error, Equatable, Sendable, CustomStringConvertible {
    case missing(String)
    case badLength(field: String, expected: Int, actual: Int)
    case outOfRange(field: String)
    case unparsable(String)
    case notBase64(String)

    public var description: String {
        switch self {
        case .missing(let field): "\(field) is missing"
        case .badLength(let field, let expected, let actual): "\(field) must be \(expected) bytes, got \(actual)"
        case .outOfRange(let field): "\(field) is out of range"
        case .unparsable(let what): "\(what) is not a valid protobuf message"
        case .notBase64(let what): "\(what) is not base64"
        }
    }
}
