import Foundation
public import EthCrypto
public import EventModel
import Scheduling
public import Payments
import SwiftProtobuf
public import Transcoding
public import Wire

/// An orchestrator serving segments: intake checks, scheduling onto its transcoder pool, results signed over
/// the renditions' bytes, the fee charged for the pixels produced, and the renditions kept under
/// `outputDirectory` for the broadcaster to fetch. Every payment, refusal and scheduling decision is an event.
public final class OrchestratorNode: @unchecked Sendable {
    // @unchecked: `inFlight` and `eventCounter` are guarded by `lock`; `publicURL` and `faults` are set
    // before serving starts.
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
    /// The URL prefix renditions are served under (the edge's address).
    public var publicURL: String
    /// Faults injected on purpose, for failover drills and the demo only (labelled; off by default).
    public var faults = NodeFaults()
    /// Where the node reports metrics and logs (the process's registry by default).
    public var telemetry = OrchestratorTelemetry()
    /// The address as event keys carry it.
    public let addressText: String
    /// Segments already transcoded, so a resubmission gets the same result.
    public let results = SegmentResults()
    private let instance: String
    private let lock = NSLock()
    private var inFlight = 0
    private var eventCounter = 0

    /// `pool` defaults to one in-process transcoder with room for `capacity` segments (its streams bounded by
    /// `streamLimits`); `events` to none.
    public init(key: PrivateKey, recipient: TicketRecipient, authSecret: [UInt8], price: PriceInfo, capacity: Int,
                outputDirectory: String, profiles: [VideoProfile], publicURL: String, pool: TranscoderPool? = nil,
                events: any EventSink = DiscardingSink(), clock: any EventClock = SystemClock(),
                offchain: Bool = false, streamLimits: StreamTranscoderTable.Limits? = nil) throws(TranscodeError) {
        guard !profiles.isEmpty else { throw .noProfiles }
        self.key = key
        intake = SegmentIntake(recipient: recipient, authSecret: authSecret,
                               capabilities: LivepeerCapabilities.advertisement(capacity: capacity), offchain: offchain)
        self.price = price
        self.capacity = capacity
        self.outputDirectory = outputDirectory
        defaultProfiles = profiles
        self.publicURL = publicURL
        self.events = events
        self.clock = clock
        addressText = key.address.checksummed
        instance = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        if let pool {
            self.pool = pool
        } else {
            self.pool = TranscoderPool(orchestrator: addressText, sink: events, clock: clock)
            self.pool.add(LocalTranscoder(id: "local-1", capacity: capacity, streamLimits: streamLimits))
        }
    }

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
            emit(payments, stream: nil, refusal: (refusal.status, refusal.reason, refusal.description, nil, nil))
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
            if let info { earlier.info = info }
            emit(payments, stream: stream, refusal: nil)
            return Reply(status: 200, body: (try? earlier.serializedBytes()) ?? [], events: payments)
        case .otherContent, .inFlight, .full:
            let refusal: SegmentRefusal = switch claim {
            case .inFlight: .resubmissionInFlight(seq: seq)
            case .full: .overCapacity
            default: .resubmittedWithOtherContent(seq: seq)
            }
            emit(payments, stream: stream, refusal: (refusal.status, refusal.reason, refusal.description, seq, accepted.sender))
            return Reply(status: refusal.status, body: Array(refusal.description.utf8), events: payments)
        }
        if faults.delaySeconds > 0 { try? await Task.sleep(for: .milliseconds(Int(faults.delaySeconds * 1_000))) }
        let directory = (outputDirectory as NSString).appendingPathComponent(stream)
        let started = ContinuousClock.now
        let reply: Result<Net_TranscodeResult, any Error>
        do {
            let task = try prepareTask(stream: stream, seq: seq, segment: accepted.segment, body: body, directory: directory)
            let (renditions, _) = try await pool.run(task)
            reply = .success(try sign(renditions, seq: seq, stream: stream))
        } catch {
            reply = .failure(error)
        }
        telemetry.transcoded(reply, seq: seq, since: started)
        switch reply {
        case .failure(let error):
            results.abandon(stream: stream, seq: seq)
            let message = "\(error)"
            emit(payments, stream: stream, refusal: (200, "transcode-failed", message, seq, accepted.sender))
            var failed = Net_TranscodeResult()
            failed.seq = seq
            failed.error = PublicMessage.redactingPaths(message)
            if let info { failed.info = info }
            return Reply(status: 200, body: (try? failed.serializedBytes()) ?? [], events: payments)
        case .success(var result):
            results.finish(stream: stream, seq: seq, hash: hash, result: result)
            let pixels = result.data.segments.reduce(0) { $0 + UInt64(max(0, $1.pixels)) }
            if let sender = accepted.sender,
               let charge = try? intake.recipient.charge(sender: sender, segmentSeq: UInt64(max(0, seq)), pixels: pixels, price: price) {
                payments.append(charge)
            }
            emit(payments, stream: stream, refusal: nil)
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

    /// The result: each rendition's URL and pixels, and the signature over keccak256 of the renditions' hashes.
    private func sign(_ renditions: [TranscodedRendition], seq: Int64, stream: String) throws -> Net_TranscodeResult {
        if faults.staleRenditions, seq > 0 {
            // The fault drill: overwrite with the renditions of the stream's first segment.
            for rendition in renditions {
                let first = rendition.file.replacingOccurrences(of: "_\(seq).ts", with: "_0.ts")
                if FileManager.default.fileExists(atPath: first) {
                    try FileManager.default.removeItem(atPath: rendition.file)
                    try FileManager.default.copyItem(atPath: first, toPath: rendition.file)
                }
            }
        }
        var data = Net_TranscodeData()
        var hashes: [Hash32] = []
        for rendition in renditions {
            hashes.append(Keccak256.hash(try Data(contentsOf: URL(fileURLWithPath: rendition.file))))
            var entry = Net_TranscodedSegmentData()
            entry.url = "\(publicURL)/stream/\(stream)/\((rendition.file as NSString).lastPathComponent)"
            entry.pixels = rendition.pixels + (faults.overreportPixels ? rendition.pixels / 10 : 0)
            data.segments.append(entry)
        }
        let signer = faults.signWithWrongKey ? try PrivateKey.generate() : key
        data.sig = Data(try signer.signMessage(SegmentSigning.resultMessage(renditionHashes: hashes).bytes).bytes)
        if faults.tamperRenditions {
            // The fault drill: serve bytes other than those signed.
            for rendition in renditions {
                var bytes = try Data(contentsOf: URL(fileURLWithPath: rendition.file))
                bytes[bytes.count / 2] ^= 0xff
                try bytes.write(to: URL(fileURLWithPath: rendition.file))
            }
        }
        var reply = Net_TranscodeResult()
        reply.seq = seq
        reply.data = data
        return reply
    }

    /// Sends one request's payment events, and its refusal if any, to the log in order.
    private func emit(_ payments: [PaymentEvent], stream: String?,
                      refusal: (status: Int, reason: String, detail: String, seq: Int64?, sender: Address?)?) {
        guard !payments.isEmpty || refusal != nil else { return }
        let base = lock.withLock { () -> Int in
            defer { eventCounter += 1 }
            return eventCounter
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
        events.emit(envelopes)
    }

    /// Room for one more segment: under the configured capacity and the live transcoders' capacity.
    private func reserveSlot() -> Bool {
        let poolCapacity = pool.capacity
        return lock.withLock {
            guard inFlight < min(capacity, poolCapacity) else { return false }
            inFlight += 1
            return true
        }
    }

    private func releaseSlot() { lock.withLock { inFlight -= 1 } }
}

/// Faults an orchestrator can be told to commit, for failover drills, tests and the demo (never set in
/// production). Each is something a broadcaster must catch or survive.
public struct NodeFaults: Sendable {
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
}
