import Dispatch
import Foundation
public import EthCrypto
public import EventModel
public import Payments
import SwiftProtobuf
import Synchronization
public import Wire

/// One segment as the broadcaster sends it.
public struct BroadcastSegment: Sendable {
    public let seq: Int64
    public let bytes: [UInt8]
    public let durationMs: Int32

    public init(seq: Int64, bytes: [UInt8], durationMs: Int32) {
        self.seq = seq
        self.bytes = bytes
        self.durationMs = durationMs
    }
}

/// What happened to one segment: delivered by whom after how many attempts, or lost, and every failure.
public struct SegmentOutcome: Sendable {
    public let seq: Int64
    public let deliveredBy: String?
    public let renditions: [[UInt8]]
    public let failures: [(url: String, reason: String)]
    /// Milliseconds from the segment's arrival to its verified delivery (or to giving up).
    public let latencyMs: Int64
    /// Set when the segment was sampled for a second opinion: the mean luma PSNR between the two results.
    public let secondOpinionPSNR: Double?
}

/// The broadcaster's loop for one stream: for each segment, pick an orchestrator (price, stake, chance; never
/// a suspended one), ask it for ticket params, pay, send, fetch and verify the renditions; on any failure
/// suspend that orchestrator and try another within the segment's time budget. A sampled share of segments
/// is also sent to a second orchestrator and the two results compared by PSNR. Every step is an event.
public final class StreamBroadcaster: Sendable {
    public let key: PrivateKey
    public let manifest: String
    public let profiles: [Net_VideoProfile]
    public let candidates: [OrchestratorCandidate]
    public let policy: BroadcastPolicy
    let sender: TicketSender
    /// What choosing mutates: the selection (its suspensions and draws) and the second-opinion sampling draws.
    let choosing: Mutex<Choosing>
    let scratch: String
    let funds: (deposit: UInt256, reserve: UInt256)
    let client: any OrchestratorTransport
    let events: any EventSink
    let log: BroadcasterEvents
    let offers = OfferCache()
    /// Where the broadcaster reports metrics and logs (the process's registry by default).
    public let telemetry: BroadcasterTelemetry

    /// The selection and the sampling generator, changed together under one lock.
    struct Choosing {
        var selection: OrchestratorSelection
        var random: SplitMix64
    }

    public init(key: PrivateKey, manifest: String, profiles: [Net_VideoProfile], candidates: [OrchestratorCandidate],
                maxPricePerPixel: Double, seed: UInt64, scratchDirectory: String, maxAttempts: Int = 3,
                funds: (deposit: UInt256, reserve: UInt256), policy: BroadcastPolicy? = nil,
                events: any EventSink = DiscardingSink(), clock: any EventClock = SystemClock(),
                telemetry: BroadcasterTelemetry = BroadcasterTelemetry(), transport: (any OrchestratorTransport)? = nil,
                instance: String? = nil) {
        self.key = key
        self.manifest = manifest
        self.profiles = profiles
        self.candidates = candidates
        self.policy = policy ?? BroadcastPolicy(maxAttempts: maxAttempts)
        sender = TicketSender(key: key)
        choosing = Mutex(Choosing(selection: OrchestratorSelection(maxPricePerPixel: maxPricePerPixel, seed: seed),
                                  random: SplitMix64(seed: seed ^ 0x5eed)))
        self.telemetry = telemetry
        scratch = scratchDirectory
        self.funds = funds
        client = transport ?? OrchestratorClient(key: key, timeout: .seconds(20))
        self.events = events
        log = BroadcasterEvents(instance: instance ?? String(seed, radix: 36) + "-" + String(UInt32.random(in: 0...UInt32.max), radix: 36),
                                stream: manifest, clock: clock)
    }

    /// Sends one segment, failing over until it is delivered, the attempts run out or its budget is spent.
    public func send(_ segment: BroadcastSegment) async -> SegmentOutcome {
        // Latency and the budget on the injected clock, as the events' timestamps are (a replayed run measures the same).
        let started = log.clock.nowMilliseconds()
        let clockStart = ContinuousClock.now
        telemetry.sending(seq: segment.seq)
        func elapsedMs() -> Int64 { max(0, log.clock.nowMilliseconds() - started) }
        let budgetMs = Int64(policy.budgetSeconds(durationMs: segment.durationMs) * 1_000)
        let segmentHash = Keccak256.hash(segment.bytes)
        events.emit([log.ingested(seq: segment.seq, durationMs: segment.durationMs, bytes: segment.bytes.count,
                                  dataHash: segmentHash.hex)])
        var failures: [(String, String)] = []
        var tried: Set<String> = []
        var attempt = 0
        while attempt < policy.maxAttempts, elapsedMs() < budgetMs {
            let pool = candidates.filter { !tried.contains($0.url) }
            guard let candidate = choose(from: pool, seq: segment.seq) else { break }
            attempt += 1
            tried.insert(candidate.url)
            let remaining = Double(budgetMs - elapsedMs()) / 1_000
            let limit = min(policy.attemptSeconds(durationMs: segment.durationMs), max(0.5, remaining))
            switch await attemptWithTimeout(segment, at: candidate, attempt: attempt, seconds: limit, segmentHash: segmentHash) {
            case .success(let result):
                var renditions = result.renditions
                var deliverer = candidate
                var psnr: Double?
                if policy.secondOpinionRate > 0, choosing.withLock({ $0.random.unit() }) < policy.secondOpinionRate {
                    let opinion = await secondOpinion(segment, primary: candidate, primaryRenditions: result.renditions,
                                                      tried: &tried, attempt: &attempt, segmentHash: segmentHash)
                    psnr = opinion.psnr
                    if let (replacement, replaced) = opinion.replacement { (deliverer, renditions) = (replacement, replaced) }
                }
                events.emit([log.delivered(seq: segment.seq, orchestrator: deliverer.address.checksummed, latencyMs: elapsedMs())])
                telemetry.delivered(seq: segment.seq, by: deliverer.url, since: clockStart)
                return SegmentOutcome(seq: segment.seq, deliveredBy: deliverer.url, renditions: renditions, failures: failures,
                                      latencyMs: elapsedMs(), secondOpinionPSNR: psnr)
            case .failure(let failure):
                failures.append((candidate.url, failure.description))
                let others = candidates.filter { !tried.contains($0.url) && $0.address != candidate.address }
                let more = attempt < policy.maxAttempts && elapsedMs() < budgetMs
                    && !choosing.withLock { $0.selection.eligible(others, seq: Int(segment.seq)) }.isEmpty
                record(failure, of: candidate, seq: segment.seq, attempt: attempt, final: !more)
            }
        }
        if attempt == 0 {
            let failure = AttemptFailure(.unreachable, "no orchestrator is eligible (all suspended, over the max price, or none known)")
            failures.append(("", failure.detail))
            events.emit([log.failed(seq: segment.seq, orchestrator: nil, attempt: 1, failure: failure, final: true)])
        }
        telemetry.lost(seq: segment.seq, attempts: failures.count)
        return SegmentOutcome(seq: segment.seq, deliveredBy: nil, renditions: [], failures: failures, latencyMs: elapsedMs(),
                              secondOpinionPSNR: nil)
    }

    /// Records a failed attempt: the failure, the check's evidence if any, and the suspension.
    func record(_ failure: AttemptFailure, of candidate: OrchestratorCandidate, seq: Int64, attempt: Int, final: Bool) {
        let orchestrator = candidate.address.checksummed
        offers.drop(candidate.url)
        let suspendedUntil = choosing.withLock { choosing in
            choosing.selection.suspend(candidate.address, at: Int(seq))
            return choosing.selection.suspendedUntil[candidate.address]
        }
        let penalty = (suspendedUntil ?? Int(seq)) - Int(seq)
        telemetry.failed(seq: seq, at: candidate.url, reason: failure.description, suspendedUntil: suspendedUntil)
        var batch = [log.failed(seq: seq, orchestrator: orchestrator, attempt: attempt, failure: failure, final: final)]
        if let evidence = failure.verification {
            batch.append(log.failedCheck(seq: seq, orchestrator: orchestrator, attempt: attempt, evidence: evidence))
        }
        batch.append(log.suspended(seq: seq, orchestrator: orchestrator, attempt: attempt, failure: failure, penalty: penalty))
        events.emit(batch)
    }

    /// The selection's pick among `pool` for segment `seq` (nil when none is eligible).
    func choose(from pool: [OrchestratorCandidate], seq: Int64) -> OrchestratorCandidate? {
        choosing.withLock { $0.selection.choose(pool, count: 1, seq: Int(seq)).first }
    }

    /// One attempt, abandoned (and counted as a timeout) after `seconds`.
    func attemptWithTimeout(_ segment: BroadcastSegment, at candidate: OrchestratorCandidate, attempt: Int, seconds: Double,
                            segmentHash: Hash32) async -> Result<VerifiedResult, AttemptFailure> {
        await withTimeout(.milliseconds(Int(seconds * 1_000)), onTimeout: {
            .failure(AttemptFailure(.timeout, "no verified result within \(String(format: "%.1f", seconds)) s"))
        }) {
            do throws(AttemptFailure) {
                return .success(try await self.attempt(segment, at: candidate, attempt: attempt, segmentHash: segmentHash))
            } catch { return .failure(error) }
        }
    }
}
