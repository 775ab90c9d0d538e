/// Why a projection host stopped or refused a read. A stopped host fails the node's health.
public enum ProjectionHostError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A projection's apply threw on an event: the host stops at the event before it.
    case applyFailed(projection: String, sequence: UInt64, reason: String)
    /// An event could not be read or decoded.
    case unreadableEvent(sequence: UInt64, reason: String)
    /// Reading the log failed.
    case readFailed(String)
    /// Writing a snapshot failed (its stored state stays at the previous snapshot).
    case snapshotFailed(String)
    /// The projection asked for is not one this host runs.
    case notHosted(String)
    /// The host has stopped; nothing more will be applied.
    case stopped
    /// The waiting task was cancelled.
    case cancelled

    public var description: String {
        switch self {
        case .applyFailed(let projection, let sequence, let reason): "projection \(projection) failed at event \(sequence): \(reason)"
        case .unreadableEvent(let sequence, let reason): "event \(sequence) cannot be read: \(reason)"
        case .readFailed(let reason): "reading the log failed: \(reason)"
        case .snapshotFailed(let reason): "writing the projection snapshot failed: \(reason)"
        case .notHosted(let name): "projection \(name) is not hosted here"
        case .stopped: "the projection host has stopped"
        case .cancelled: "cancelled while waiting for the projection host"
        }
    }
}
