import Dispatch
import Foundation
public import EthCrypto
public import Payments
import SwiftProtobuf
public import Transcoding
public import Wire

/// An orchestrator serving segments: intake checks, a transcoder per stream (its encoders live as long as the
/// stream), results signed over the renditions' bytes, the fee charged for the pixels produced, and the
/// renditions kept under `outputDirectory` for the broadcaster to fetch.
public final class OrchestratorNode: @unchecked Sendable {
    // @unchecked: `transcoders` and `inFlight` are guarded by `lock`; each stream's transcoder runs one
    // segment at a time under its own queue.
    public let key: PrivateKey
    public let intake: SegmentIntake
    public let price: PriceInfo
    public let capacity: Int
    public let outputDirectory: String
    public let defaultProfiles: [VideoProfile]
    /// The URL prefix renditions are served under (the edge's address).
    public var publicURL: String
    /// Faults injected on purpose, for failover drills and the demo only (labelled; off by default).
    public var faults = NodeFaults()
    /// Where the node reports metrics and logs (the process's registry by default).
    public var telemetry = OrchestratorTelemetry()
    private let lock = NSLock()
    private var transcoders: [String: (StreamTranscoder, DispatchQueue)] = [:]
    private var inFlight = 0

    public init(key: PrivateKey, recipient: TicketRecipient, authSecret: [UInt8], price: PriceInfo, capacity: Int,
                outputDirectory: String, profiles: [VideoProfile], publicURL: String) throws(TranscodeError) {
        guard !profiles.isEmpty else { throw .noProfiles }
        self.key = key
        intake = SegmentIntake(recipient: recipient, authSecret: authSecret)
        self.price = price
        self.capacity = capacity
        self.outputDirectory = outputDirectory
        defaultProfiles = profiles
        self.publicURL = publicURL
    }

    /// GetOrchestrator's answer for `sender`: ticket params (face value from the sender's max float), the price,
    /// the orchestrator's address and a fresh auth token.
    public func orchestratorInfo(sender: Address, funds: SenderFunds, activeSetSize: Int, context: ValidationContext,
                                 now: Int64, seed: Hash32) throws(PaymentError) -> Net_OrchestratorInfo {
        let params = try intake.recipient.ticketParams(sender: sender, funds: funds, activeSetSize: activeSetSize, price: price,
                                                       context: context, seed: seed)
        telemetry.offered(params)
        var info = Net_OrchestratorInfo()
        info.transcoder = publicURL
        info.ticketParams = Payment(sender: sender, ticketParams: params, senderParams: [], expectedPrice: price).wire.ticketParams
        var priceInfo = Net_PriceInfo()
        priceInfo.pricePerUnit = Int64(clamping: price.pricePerUnit.uint64Value ?? UInt64(Int64.max))
        priceInfo.pixelsPerUnit = Int64(clamping: price.pixelsPerUnit.uint64Value ?? 1)
        info.priceInfo = priceInfo
        info.address = Data(key.address.bytes)
        info.authToken = AuthTokens.make(secret: intake.authSecret, sessionID: Hex.encode(seed.bytes, prefix: false),
                                         expiration: now + AuthTokens.lifetimeSeconds)
        return info
    }

    /// What answering one request produced: the HTTP status and body, and the payment events to record.
    public struct Reply: Sendable {
        public let status: Int
        public let body: [UInt8]
        public let events: [PaymentEvent]
    }

    /// Handles POST /segment. Transcoding runs on the stream's own dispatch queue, off the cooperative pool.
    public func handleSegment(segmentHeader: String, paymentHeader: String, body: [UInt8], context: ValidationContext,
                              now: Int64) async -> Reply {
        var reserved = false
        let (result, outcome) = intake.accept(segmentHeader: segmentHeader, paymentHeader: paymentHeader, body: body,
                                              context: context, now: now, hasCapacity: {
                                                  reserved = reserveSlot()
                                                  return reserved
                                              })
        telemetry.intake(result, outcome)
        var events = outcome?.events ?? []
        let accepted: AcceptedSegment
        switch result {
        case .failure(let refusal):
            if reserved { releaseSlot() }
            return Reply(status: refusal.status, body: Array(refusal.description.utf8), events: events)
        case .success(let segment): accepted = segment
        }
        defer { releaseSlot() }
        let manifest = String(decoding: accepted.segment.manifestID, as: UTF8.self)
        let safeManifest = manifest.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
        let (transcoder, queue) = stream(safeManifest.isEmpty ? "stream" : safeManifest, profiles: accepted.segment.fullProfiles)
        let seq = accepted.segment.seq
        let directory = (outputDirectory as NSString).appendingPathComponent(safeManifest)
        let started = ContinuousClock.now
        let outcomeResult: Result<Net_TranscodeResult, TranscodeError> = await withCheckedContinuation { continuation in
            queue.async {
                continuation.resume(returning: self.transcode(body: body, seq: seq, duration: accepted.segment.duration,
                                                              manifest: safeManifest, directory: directory, transcoder: transcoder))
            }
        }
        telemetry.transcoded(outcomeResult, seq: seq, since: started)
        switch outcomeResult {
        case .failure(let error):
            var reply = Net_TranscodeResult()
            reply.seq = seq
            reply.error = error.description
            return Reply(status: 200, body: (try? reply.serializedBytes()) ?? [], events: events)
        case .success(let reply):
            let pixels = reply.data.segments.reduce(0) { $0 + UInt64(max(0, $1.pixels)) }
            if let charge = try? intake.recipient.charge(sender: accepted.sender, segmentSeq: UInt64(max(0, seq)), pixels: pixels,
                                                         price: price) {
                events.append(charge)
            }
            return Reply(status: 200, body: (try? reply.serializedBytes()) ?? [], events: events)
        }
    }

    /// Cuts nothing (the broadcaster sent one segment), transcodes it, signs the renditions' hashes.
    private func transcode(body: [UInt8], seq: Int64, duration: Int32, manifest: String, directory: String,
                           transcoder: StreamTranscoder) -> Result<Net_TranscodeResult, TranscodeError> {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let source = (directory as NSString).appendingPathComponent("source_\(seq).ts")
            try Data(body).write(to: URL(fileURLWithPath: source))
            let segment = SourceSegment(index: Int(seq), path: source, start: 0, duration: Double(duration) / 1_000, videoPackets: 0)
            let result = try transcoder.transcode(segment) { profile, index in
                (directory as NSString).appendingPathComponent("\(profile.name)_\(index).ts")
            }
            var data = Net_TranscodeData()
            var hashes: [Hash32] = []
            for rendition in result.renditions {
                let bytes = try Data(contentsOf: URL(fileURLWithPath: rendition.file))
                hashes.append(Keccak256.hash(bytes))
                var entry = Net_TranscodedSegmentData()
                entry.url = "\(publicURL)/stream/\(manifest)/\((rendition.file as NSString).lastPathComponent)"
                entry.pixels = Int64(rendition.pixels)
                data.segments.append(entry)
            }
            data.sig = Data(try key.signMessage(SegmentSigning.resultMessage(renditionHashes: hashes).bytes).bytes)
            if faults.tamperRenditions {
                // The fault drill: serve bytes other than those signed.
                for rendition in result.renditions {
                    var bytes = try Data(contentsOf: URL(fileURLWithPath: rendition.file))
                    bytes[bytes.count / 2] ^= 0xff
                    try bytes.write(to: URL(fileURLWithPath: rendition.file))
                }
            }
            var reply = Net_TranscodeResult()
            reply.seq = seq
            reply.data = data
            return .success(reply)
        } catch let error as TranscodeError {
            return .failure(error)
        } catch {
            return .failure(.io("\(error)"))
        }
    }

    private func stream(_ manifest: String, profiles: [Net_VideoProfile]) -> (StreamTranscoder, DispatchQueue) {
        lock.withLock {
            if let existing = transcoders[manifest] { return existing }
            let ladder = profiles.compactMap { try? VideoProfile(name: $0.name.isEmpty ? "\($0.width)x\($0.height)" : $0.name,
                                                                  width: Int($0.width), height: Int($0.height),
                                                                  bitrate: Int($0.bitrate), fps: Int(max(1, $0.fps))) }
            // `defaultProfiles` is never empty (checked at init), so the fallback always constructs.
            let transcoder = (try? StreamTranscoder(profiles: ladder.isEmpty ? defaultProfiles : ladder))
                ?? (try! StreamTranscoder(profiles: defaultProfiles))
            let entry = (transcoder, DispatchQueue(label: "streamflow.transcode.\(manifest)"))
            transcoders[manifest] = entry
            return entry
        }
    }

    private func reserveSlot() -> Bool {
        lock.withLock {
            guard inFlight < capacity else { return false }
            inFlight += 1
            return true
        }
    }

    private func releaseSlot() { lock.withLock { inFlight -= 1 } }
}

/// Faults an orchestrator can be told to commit, for failover drills and the demo (never set in production).
public struct NodeFaults: Sendable {
    /// Serve renditions whose bytes differ from the ones signed (a broadcaster must catch it).
    public var tamperRenditions = false
    public init(tamperRenditions: Bool = false) { self.tamperRenditions = tamperRenditions }
}

