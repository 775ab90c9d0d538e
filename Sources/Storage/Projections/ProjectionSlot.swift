public import EventModel

/// One hosted projection with its state and checkpoint, as a value the host keeps under its lock.
protocol ProjectionSlot: Sendable {
    var name: String { get }
    /// The last sequence folded into `state`.
    var checkpoint: UInt64 { get set }
    /// The projection's type, so readers can find it by type.
    var projectionType: ObjectIdentifier { get }
    /// Applies `event` when it is past the checkpoint (events at or before it are already in the state).
    mutating func apply(_ event: EventRecord) throws
    func encodedState() throws -> [UInt8]
    mutating func load(_ bytes: [UInt8], checkpoint: UInt64) throws
    mutating func reset()
}

/// The typed slot behind `ProjectionSlot`.
struct TypedSlot<P: Projection>: ProjectionSlot {
    let projection: P
    var state: P.State
    var checkpoint: UInt64 = 0

    init(_ projection: P) {
        self.projection = projection
        state = projection.initialState
    }

    var name: String { projection.name }
    var projectionType: ObjectIdentifier { ObjectIdentifier(P.self) }

    mutating func apply(_ event: EventRecord) throws {
        guard event.sequence > checkpoint else { return }
        try projection.apply(&state, event)
        checkpoint = event.sequence
    }

    func encodedState() throws -> [UInt8] { try ProjectionCoding.encode(state) }

    mutating func load(_ bytes: [UInt8], checkpoint: UInt64) throws {
        state = try ProjectionCoding.decode(P.State.self, from: bytes)
        self.checkpoint = checkpoint
    }

    mutating func reset() {
        state = projection.initialState
        checkpoint = 0
    }
}

/// Builds a slot for a projection given as an existential.
func makeSlot<P: Projection>(_ projection: P) -> any ProjectionSlot { TypedSlot(projection) }
