/// Why a 256-bit operation or parse was refused. Overflow is always this error, never a wrap or a trap.
public enum UInt256Error: Error, Equatable, Sendable, CustomStringConvertible {
    case overflow(operation: String)
    case underflow(operation: String)
    case divisionByZero
    case empty
    case invalidDigit(character: Character, position: Int)

    public var description: String {
        switch self {
        case .overflow(let operation): "256-bit overflow in \(operation)"
        case .underflow(let operation): "256-bit underflow in \(operation) (result would be negative)"
        case .divisionByZero: "division by zero"
        case .empty: "empty number"
        case .invalidDigit(let character, let position): "invalid digit '\(character)' at position \(position)"
        }
    }
}
