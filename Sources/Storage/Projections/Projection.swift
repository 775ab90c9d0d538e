public import EventModel

/// A deterministic fold over the log: state × event → state. No clock, no I/O, no randomness:
/// rebuilding from the first event gives byte-identical state. A throwing apply is a bug or a corrupt
/// event; the host stops on it (see `ProjectionHostError.applyFailed`).
public protocol Projection: Sendable {
    associatedtype State: Codable & Sendable & Equatable
    /// The key its state and checkpoint are stored under.
    var name: String { get }
    var initialState: State { get }
    func apply(_ state: inout State, _ event: EventRecord) throws
}
