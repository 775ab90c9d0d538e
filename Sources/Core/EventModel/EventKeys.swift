/// The keys an event is indexed and partitioned by; absent keys are nil (never empty strings).
public struct EventKeys: Sendable, Hashable, Codable {
    public var stream: String?
    public var session: String?
    public var orchestrator: String?
    public var sender: String?

    public init(stream: String? = nil, session: String? = nil, orchestrator: String? = nil, sender: String? = nil) {
        self.stream = stream
        self.session = session
        self.orchestrator = orchestrator
        self.sender = sender
    }

    /// The kinds of key, in canonical order.
    public enum Kind: String, Sendable, CaseIterable, Codable {
        case stream, session, orchestrator, sender
    }

    public subscript(kind: Kind) -> String? {
        get {
            switch kind {
            case .stream: stream
            case .session: session
            case .orchestrator: orchestrator
            case .sender: sender
            }
        }
        set {
            switch kind {
            case .stream: stream = newValue
            case .session: session = newValue
            case .orchestrator: orchestrator = newValue
            case .sender: sender = newValue
            }
        }
    }

    /// The keys present, in canonical order.
    public var present: [(kind: Kind, value: String)] {
        Kind.allCases.compactMap { kind in self[kind].map { (kind, $0) } }
    }

    /// The key that orders events on the bus: stream, else session, else orchestrator, else sender.
    public var partitionKey: String? { stream ?? session ?? orchestrator ?? sender }
}
