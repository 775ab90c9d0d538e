import Foundation
public import EthCrypto
public import EventModel
import Scheduling
public import Payments
import SwiftProtobuf
import Synchronization
public import Transcoding
public import Wire

/// An orchestrator serving segments: intake checks, scheduling onto its transcoder pool, results signed over
/// the renditions' bytes, the fee charged for the pixels produced, and the renditions kept under
/// `outputDirectory` for the broadcaster to fetch. Every payment, refusal and scheduling decision is an event.
public final class OrchestratorNode: Sendable {
    public let key: PrivateKey
    public let intake: SegmentIntake
    public let price: PriceInfo
    public let capacity: Int
    public let outputDirectory: String
    public let defaultProfiles: [VideoProfile]
    /// The transcoders segments are scheduled onto.
    public let pool: TranscoderPool
    /// Where the node's events go (the log in a real node).
    public let events: any EventSink
    public let clock: any EventClock
    /// The URL prefix renditions are served under (the edge's address): set once, when the edge has bound its
    /// socket and before it accepts a connection (`announce(publicURL:)`); read by every request after.
    public var publicURL: String { announcedURL.withLock { $0 } }
    private let announcedURL: Mutex<String>
    /// Signs each result (honestly, unless a drill wrapped it).
    public let signer: any ResultSigner
    /// Where the node reports metrics and logs (the process's registry by default).
    public let telemetry: OrchestratorTelemetry
    /// The address as event keys carry it.
    public let addressText: String
    /// The senders' funds its ticket params are sized by.
    public let senderFunds: SenderFundsSource
    /// Segments already transcoded, so a resubmission gets the same result.
    public let results = SegmentResults()
    private let instance: String
    /// Segments in flight and the per-request event counter.
    private let counters = Mutex<(inFlight: Int, events: Int)>((0, 0))
    /// Requests refused because their events were not durable, and the sink's emit failures already counted as metrics.
    private let health = Mutex<(notDurable: Int, emitFailuresCounted: Int)>((0, 0))

    /// `pool` defaults to one in-process transcoder with room for `capacity` segments (its streams bounded by
    /// `streamLimits`); `events` to none. `instance` names this run in its event ids; random unless a caller that
    /// replays runs exactly (the market simulation) gives a name no earlier run of this node used.
    public init(key: PrivateKey, recipient: TicketRecipient, authSecret: [UInt8], price: PriceInfo, capacity: Int,
                outputDirectory: String, profiles: [VideoProfile], publicURL: String, pool: TranscoderPool? = nil,
                events: any EventSink = DiscardingSink(), clock: any EventClock = SystemClock(),
                offchain: Bool = false, streamLimits: StreamTranscoderTable.Limits? = nil,
                signer: any ResultSigner = HonestResultSigner(),
                telemetry: OrchestratorTelemetry = OrchestratorTelemetry(),
                senderFunds: SenderFundsSource = .assumed, instance: String? = nil) throws(TranscodeError) {
        guard !profiles.isEmpty else { throw .noProfiles }
        self.key = key
        intake = SegmentIntake(recipient: recipient, authSecret: authSecret,
                               capabilities: LivepeerCapabilities.advertisement(capacity: capacity), offchain: offchain)
        self.price = price
        self.capacity = capacity
        self.outputDirectory = outputDirectory
        defaultProfiles = profiles
        announcedURL = Mutex(publicURL)
        self.events = events
        self.clock = clock
        self.signer = signer
        self.telemetry = telemetry
        self.senderFunds = senderFunds
        addressText = key.address.checksummed
        self.instance = instance ?? String(UInt64.random(in: 0...UInt64.max), radix: 36)
        if let pool {
            self.pool = pool
        } else {
            self.pool = TranscoderPool(orchestrator: addressText, sink: events, clock: clock)
            self.pool.add(LocalTranscoder(id: "local-1", capacity: capacity, streamLimits: streamLimits))
        }
    }

    /// Records where the edge listens (the edge calls it once, from its bound-socket callback).
    public func announce(publicURL url: String) { announcedURL.withLock { $0 = url } }

    /// GetOrchestrator's answer for `sender`: ticket params (face value from the sender's max float; none
    /// off-chain), the price, the orchestrator's address, its capabilities and a fresh auth token.
    public func orchestratorInfo(sender: Address, funds: SenderFunds, activeSetSize: Int, context: ValidationContext,
                                 now: Int64, seed: Hash32) throws(PaymentError) -> Net_OrchestratorInfo {
        var info = Net_OrchestratorInfo()
        if !intake.offchain {
            let params = try intake.recipient.ticketParams(sender: sender, funds: funds, activeSetSize: activeSetSize,
                                                           price: price, context: context, seed: seed)
            telemetry.offered(params)
            info.ticketParams = Payment(sender: sender, ticketParams: params, senderParams: [], expectedPrice: price).wire.ticketParams
        }
        info.transcoder = publicURL
        info.capabilities = intake.capabilities
        var priceInfo = Net_PriceInfo()
        priceInfo.pricePerUnit = Int64(clamping: price.pricePerUnit.uint64Value ?? UInt64(Int64.max))
        priceInfo.pixelsPerUnit = Int64(clamping: price.pixelsPerUnit.uint64Value ?? 1)
        info.priceInfo = priceInfo
        info.address = Data(key.address.bytes)
        info.authToken = AuthTokens.make(secret: intake.authSecret, sessionID: Hex.encode(seed.bytes, prefix: false),
                                         expiration: now + AuthTokens.lifetimeSeconds)
        return info
    }

    /// What answering one request produced: the HTTP status and body, and the payment events recorded.
    public struct Reply: Sendable {
        public let status: Int
        public let body: [UInt8]
        public let events: [PaymentEvent]
    }

    /// Handles POST /segment: intake checks, then the segment is scheduled onto a transcoder (retried on
    /// another if one fails), the renditions are signed, the fee is charged. A resubmission of a segment already
    /// transcoded from the same bytes gets the same result (and is not charged again). The result carries
    /// `offer(sender)` as its `info`, as go-livepeer's does, with the segment's own auth token. Payment events
    /// and a `segment.refused` for any refusal go to `events`.
    public func handleSegment(segmentHeader: String, paymentHeader: String, body: [UInt8], context: ValidationContext,
                              now: Int64, offer: (Address?) -> Net_OrchestratorInfo? = { _ in nil }) async -> Reply {
        var reserved = false
        let (result, outcome) = intake.accept(segmentHeader: segmentHeader, paymentHeader: paymentHeader, body: body,
                                              context: context, now: now, hasCapacity: {
                                                  reserved = reserveSlot()
                                                  return reserved
                                              })
        telemetry.intake(result, outcome)
        var payments = outcome?.events ?? []
        let accepted: AcceptedSegment
        switch result {
        case .failure(let refusal):
            if reserved { releaseSlot() }
            // Credit a refused request's tickets earned is money too: durable before the refusal is sent.
            if let unstored = await persist(payments, stream: nil, refusal: (refusal.status, refusal.reason, refusal.description, nil, nil)) {
                return unstored
            }
            return Reply(status: refusal.status, body: Array(refusal.description.utf8), events: payments)
        case .success(let segment): accepted = segment
        }
        defer { releaseSlot() }
        let manifest = String(decoding: accepted.segment.manifestID, as: UTF8.self)
        let safeManifest = String(manifest.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }.prefix(64))
        let stream = safeManifest.isEmpty ? "stream" : safeManifest
        let seq = accepted.segment.seq
        var info = offer(accepted.sender)
        info?.authToken = accepted.segment.authToken
        let hash = Array(accepted.segment.hash)
        let claim = results.claim(stream: stream, seq: seq, hash: hash)
        switch claim {
        case .fresh: break
        case .done(var earlier):
            if let unstored = await persist(payments, stream: stream, refusal: nil, seq: seq) { return unstored }
            if let info { earlier.info = info }
            return Reply(status: 200, body: (try? earlier.serializedBytes()) ?? [], events: payments)
        case .otherContent, .inFlight, .full:
            let refusal: SegmentRefusal = switch claim {
            case .inFlight: .resubmissionInFlight(seq: seq)
            case .full: .overCapacity
            default: .resubmittedWithOtherContent(seq: seq)
            }
            if let unstored = await persist(payments, stream: stream,
                                            refusal: (refusal.status, refusal.reason, refusal.description, seq, accepted.sender)) {
                return unstored
            }
            return Reply(status: refusal.status, body: Array(refusal.description.utf8), events: payments)
        }
        let directory = (outputDirectory as NSString).appendingPathComponent(stream)
        let started = ContinuousClock.now
        let reply: Result<Net_TranscodeResult, any Error>
        do {
            let task = try prepareTask(stream: stream, seq: seq, segment: accepted.segment, body: body, directory: directory)
            let (renditions, _) = try await pool.run(task)
            reply = .success(try await signer.sign(renditions, seq: seq, stream: stream, publicURL: publicURL, key: key))
        } catch {
            reply = .failure(error)
        }
        telemetry.transcoded(reply, seq: seq, since: started)
        switch reply {
        case .failure(let error):
            results.abandon(stream: stream, seq: seq)
            let message = "\(error)"
            if let unstored = await persist(payments, stream: stream, refusal: (200, "transcode-failed", message, seq, accepted.sender)) {
                return unstored
            }
            var failed = Net_TranscodeResult()
            failed.seq = seq
            failed.error = PublicMessage.redactingPaths(message)
            if let info { failed.info = info }
            return Reply(status: 200, body: (try? failed.serializedBytes()) ?? [], events: payments)
        case .success(var result):
            let pixels = result.data.segments.reduce(0) { $0 + UInt64(max(0, $1.pixels)) }
            if let sender = accepted.sender,
               let charge = try? intake.recipient.charge(sender: sender, segmentSeq: UInt64(max(0, seq)), pixels: pixels, price: price) {
                payments.append(charge)
            }
            // The payment, its winners and the fee are durable before the 200 (one group commit with the others).
            if let unstored = await persist(payments, stream: stream, refusal: nil, seq: seq) {
                results.abandon(stream: stream, seq: seq)
                return unstored
            }
            results.finish(stream: stream, seq: seq, hash: hash, result: result)
            if let info { result.info = info }
            return Reply(status: 200, body: (try? result.serializedBytes()) ?? [], events: payments)
        }
    }

    /// Writes the source segment where transcoders read it and names the task.
    private func prepareTask(stream: String, seq: Int64, segment: Net_SegData, body: [UInt8],
                             directory: String) throws -> TranscodeTask {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let source = (directory as NSString).appendingPathComponent("source_\(seq).ts")
        try Data(body).write(to: URL(fileURLWithPath: source))
        let ladder = SegmentSigning.profiles(of: segment).compactMap { try? VideoProfile(wire: $0) }
        return TranscodeTask(id: pool.newTaskID(), manifest: stream, seq: seq, durationMs: segment.duration,
                             profiles: ladder.isEmpty ? defaultProfiles : ladder, sourcePath: source, outputDirectory: directory)
    }

    /// Stores one request's payment events, and its refusal if any, in order, and returns once they are durable (nil);
    /// when they cannot be, the 503 to answer instead (`events-not-durable`: nothing acknowledged; the broadcaster
    /// retries or moves on, and the failure is counted and logged).
    private func persist(_ payments: [PaymentEvent], stream: String?,
                         refusal: (status: Int, reason: String, detail: String, seq: Int64?, sender: Address?)?,
                         seq: Int64? = nil) async -> Reply? {
        let envelopes = envelopes(payments, stream: stream, refusal: refusal)
        guard !envelopes.isEmpty else { return nil }
        do {
            try await events.persist(envelopes)
            return nil
        } catch {
            health.withLock { $0.notDurable += 1 }
            telemetry.notDurable(error, seq: refusal?.seq ?? seq)
            return Reply(status: 503, body: Array("events-not-durable: \(error)".utf8), events: [])
        }
    }

    /// What makes this node unhealthy now (empty when healthy): events its sink could not store (`emit`) and requests
    /// refused because their payment events were not durable. Brings `streamflow_events_not_durable_total{kind="emit"}`
    /// up to the sink's count.
    public func healthProblems() -> [String] {
        let emitFailures = events.failureCount
        let (notDurable, newlyFailed) = health.withLock { health in
            defer { health.emitFailuresCounted = max(health.emitFailuresCounted, emitFailures) }
            return (health.notDurable, emitFailures - health.emitFailuresCounted)
        }
        if newlyFailed > 0 { telemetry.emitFailed(newlyFailed) }
        var problems: [String] = []
        if emitFailures > 0 {
            problems.append("\(emitFailures) events could not be stored; the last: \(events.lastFailure ?? "unknown")")
        }
        if notDurable > 0 { problems.append("\(notDurable) requests refused because their payment events were not durable") }
        return problems
    }

    /// Whether this node instance wrote the event (the ids of its payment events and refusals carry the instance).
    public func wrote(eventID id: String) -> Bool { id.hasPrefix("\(addressText)/\(instance)/") }

    /// One request's payment events and its refusal as envelopes, with ids unique to this node instance.
    private func envelopes(_ payments: [PaymentEvent], stream: String?,
                           refusal: (status: Int, reason: String, detail: String, seq: Int64?, sender: Address?)?) -> [EventEnvelope] {
        guard !payments.isEmpty || refusal != nil else { return [] }
        let base = counters.withLock { counters -> Int in
            defer { counters.events += 1 }
            return counters.events
        }
        let time = clock.nowMilliseconds()
        var text = EventText()
        var envelopes = payments.enumerated().map { index, event in
            event.envelope(id: "\(addressText)/\(instance)/\(base)/\(index)", timestamp: time, stream: stream, text: &text)
        }
        if let refusal {
            envelopes.append(NodeEvents.segmentRefused(
                id: "\(addressText)/\(instance)/\(base)/refused", orchestrator: addressText, stream: stream, seq: refusal.seq,
                status: refusal.status, reason: refusal.reason, detail: refusal.detail,
                sender: refusal.sender?.checksummed, timestamp: time))
        }
        return envelopes
    }

    /// Room for one more segment: under the configured capacity and the live transcoders' capacity.
    private func reserveSlot() -> Bool {
        let poolCapacity = pool.capacity
        return counters.withLock { counters in
            guard counters.inFlight < min(capacity, poolCapacity) else { return false }
            counters.inFlight += 1
            return true
        }
    }

    private func releaseSlot() { counters.withLock { $0.inFlight -= 1 } }
}
