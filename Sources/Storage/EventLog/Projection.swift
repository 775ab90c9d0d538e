public import EventModel

/// A deterministic fold over the log: state × event → state. No clock, no I/O, no randomness:
/// rebuilding from the first event gives byte-identical state.
public protocol Projection: Sendable {
    associatedtype State: Codable & Sendable & Equatable
    /// The key its state and checkpoint are stored under.
    var name: String { get }
    var initialState: State { get }
    func apply(_ state: inout State, _ event: EventRecord)
}

/// A projection with its state held as a value, so the runner can treat different ones alike.
protocol ProjectionSlot: AnyObject {
    var name: String { get }
    func apply(_ event: EventRecord)
    func encodedState() throws -> [UInt8]
    func load(_ bytes: [UInt8]) throws
    func reset()
}

/// Holds one projection's state in memory between the batches the runner applies.
final class TypedSlot<P: Projection>: ProjectionSlot {
    let projection: P
    var state: P.State

    init(_ projection: P) {
        self.projection = projection
        state = projection.initialState
    }

    var name: String { projection.name }
    func apply(_ event: EventRecord) { projection.apply(&state, event) }
    func encodedState() throws -> [UInt8] { try ProjectionCoding.encode(state) }
    func load(_ bytes: [UInt8]) throws { state = try ProjectionCoding.decode(P.State.self, from: bytes) }
    func reset() { state = projection.initialState }
}
