/// How hard a broadcaster tries for each segment and how much it checks: attempts, the time budget, and the
/// share of segments also sent to a second orchestrator and compared by PSNR.
public struct BroadcastPolicy: Sendable {
    /// Orchestrators tried per segment at most.
    public var maxAttempts: Int
    /// One attempt's limit, as a multiple of the segment's duration (at least `minimumAttemptSeconds`).
    public var attemptTimeoutFactor: Double
    public var minimumAttemptSeconds: Double
    /// The whole segment's limit (all attempts), as a multiple of its duration (at least `minimumBudgetSeconds`).
    public var budgetFactor: Double
    public var minimumBudgetSeconds: Double
    /// Fraction of segments (0…1) also transcoded by a second orchestrator and compared frame by frame.
    public var secondOpinionRate: Double
    /// Below this mean luma PSNR (dB) two renditions of one segment disagree.
    public var minimumPSNR: Double
    /// Decode every rendition and count its pixels (off only for control-plane benchmarks, where renditions
    /// are copies; the result signature is always checked).
    public var countPixels = true
    /// go-livepeer's `-network offchain`: no signed OrchestratorRequest, no tickets, no segment signature (only
    /// with orchestrators run off-chain; never the default).
    public var offchain = false

    public init(maxAttempts: Int = 3, attemptTimeoutFactor: Double = 3, minimumAttemptSeconds: Double = 5, budgetFactor: Double = 6,
                minimumBudgetSeconds: Double = 15, secondOpinionRate: Double = 0, minimumPSNR: Double = 30) {
        self.maxAttempts = max(1, maxAttempts)
        self.attemptTimeoutFactor = attemptTimeoutFactor
        self.minimumAttemptSeconds = minimumAttemptSeconds
        self.budgetFactor = budgetFactor
        self.minimumBudgetSeconds = minimumBudgetSeconds
        self.secondOpinionRate = min(1, max(0, secondOpinionRate))
        self.minimumPSNR = minimumPSNR
    }

    func attemptSeconds(durationMs: Int32) -> Double { max(minimumAttemptSeconds, attemptTimeoutFactor * Double(durationMs) / 1_000) }
    func budgetSeconds(durationMs: Int32) -> Double { max(minimumBudgetSeconds, budgetFactor * Double(durationMs) / 1_000) }
}
