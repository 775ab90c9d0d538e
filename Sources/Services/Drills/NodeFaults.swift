/// Faults an orchestrator can be told to commit, for failover drills, tests and the demo (never in production:
/// only the Drills target knows them). Each is something a broadcaster must catch or survive.
public struct NodeFaults: Sendable, Equatable {
    /// Serve renditions whose bytes differ from the ones signed.
    public var tamperRenditions = false
    /// Report (and bill) more pixels than the renditions hold.
    public var overreportPixels = false
    /// Sign results with a key that is not the orchestrator's.
    public var signWithWrongKey = false
    /// Answer every segment only after this many seconds (a slow orchestrator).
    public var delaySeconds: Double = 0
    /// Return the stream's first renditions for every later segment, properly signed and counted: only a
    /// comparison with another orchestrator's result (PSNR) can catch it.
    public var staleRenditions = false

    public init(tamperRenditions: Bool = false, overreportPixels: Bool = false, signWithWrongKey: Bool = false,
                delaySeconds: Double = 0, staleRenditions: Bool = false) {
        self.staleRenditions = staleRenditions
        self.tamperRenditions = tamperRenditions
        self.overreportPixels = overreportPixels
        self.signWithWrongKey = signWithWrongKey
        self.delaySeconds = delaySeconds
    }

    /// No fault at all.
    public var isHonest: Bool { self == NodeFaults() }
}
