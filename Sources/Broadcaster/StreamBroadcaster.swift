import Foundation
public import EthCrypto
public import Payments
import SwiftProtobuf
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
}

/// The broadcaster's loop for one stream: for each segment, pick an orchestrator (price, stake, chance; never
/// a suspended one), ask it for ticket params, pay, send, fetch and verify the renditions; on any failure
/// suspend that orchestrator and try another, up to `maxAttempts` per segment.
public final class StreamBroadcaster: @unchecked Sendable {
    // @unchecked: one segment is sent at a time (`send` is not reentrant); `selection` is only touched there.
    public let key: PrivateKey
    public let manifest: String
    public let profiles: [Net_VideoProfile]
    public let candidates: [OrchestratorCandidate]
    public let maxAttempts: Int
    private let sender: TicketSender
    private var selection: OrchestratorSelection
    private let scratch: String
    private let funds: (deposit: UInt256, reserve: UInt256)
    private let client: OrchestratorClient

    public init(key: PrivateKey, manifest: String, profiles: [Net_VideoProfile], candidates: [OrchestratorCandidate],
                maxPricePerPixel: Double, seed: UInt64, scratchDirectory: String, maxAttempts: Int = 3,
                funds: (deposit: UInt256, reserve: UInt256)) {
        self.key = key
        self.manifest = manifest
        self.profiles = profiles
        self.candidates = candidates
        self.maxAttempts = maxAttempts
        sender = TicketSender(key: key)
        selection = OrchestratorSelection(maxPricePerPixel: maxPricePerPixel, seed: seed)
        scratch = scratchDirectory
        self.funds = funds
        client = OrchestratorClient(key: key, timeout: .seconds(20))
    }

    /// Sends one segment, failing over until it is delivered or the attempts run out.
    public func send(_ segment: BroadcastSegment) async -> SegmentOutcome {
        var failures: [(String, String)] = []
        var tried: Set<String> = []
        for _ in 0..<maxAttempts {
            let pool = candidates.filter { !tried.contains($0.url) }
            guard let candidate = selection.choose(pool, count: 1, seq: Int(segment.seq)).first else { break }
            tried.insert(candidate.url)
            do {
                let renditions = try await attempt(segment, at: candidate)
                return SegmentOutcome(seq: segment.seq, deliveredBy: candidate.url, renditions: renditions, failures: failures)
            } catch {
                failures.append((candidate.url, "\(error)"))
                selection.suspend(candidate.address, at: Int(segment.seq))
            }
        }
        return SegmentOutcome(seq: segment.seq, deliveredBy: nil, renditions: [], failures: failures)
    }

    /// A refusal or a failed check, as one error with its reason.
    struct AttemptFailure: Error, CustomStringConvertible {
        let description: String
    }

    private func attempt(_ segment: BroadcastSegment, at candidate: OrchestratorCandidate) async throws -> [[UInt8]] {
        // 1. Ticket params and an auth token (gRPC GetOrchestrator).
        let info = try await client.getOrchestrator(candidate.url)
        var wirePayment = Net_Payment()
        wirePayment.ticketParams = info.ticketParams
        wirePayment.sender = Data(key.address.bytes)
        wirePayment.expirationParams = info.ticketParams.expirationParams
        wirePayment.expectedPrice = info.priceInfo
        let offered = try Payment(wire: wirePayment)
        let orchestrator = try Address(bytes: info.address)
        // 2. Pay for the segment's pixels at the offered price, and sign the segment.
        let pixels = UInt64(profiles.reduce(0) { $0 + Int($1.width) * Int($1.height) * Int(max(1, $1.fps)) })
            * UInt64(max(1, segment.durationMs)) / 1_000
        let paid = try sender.pay(session: candidate.url, params: offered.ticketParams, price: offered.expectedPrice, pixels: pixels,
                                  deposit: funds.deposit, reserve: funds.reserve, currentBlock: 0, segmentSeq: UInt64(segment.seq))
        var data = Net_SegData()
        data.manifestID = Data(manifest.utf8)
        data.seq = segment.seq
        data.hash = Data(Keccak256.hash(segment.bytes).bytes)
        data.duration = segment.durationMs
        data.fullProfiles = profiles
        data.authToken = info.authToken
        data.sig = Data(try key.signMessage(SegmentSigning.flatten(data)).bytes)
        // 3. POST /segment to the transcoder URL the orchestrator named.
        let (status, replyBytes) = try await client.postSegment(transcoderURL: info.transcoder, segment: data, payment: paid.payment.wire,
                                                                body: segment.bytes, timeout: .seconds(20))
        guard status == 200 else {
            throw AttemptFailure(description: "segment refused with \(status): \(String(decoding: replyBytes.prefix(200), as: UTF8.self))")
        }
        let result = try Net_TranscodeResult(serializedBytes: replyBytes)
        // 4. Fetch and verify.
        guard case .data(let transcoded)? = result.result else {
            throw AttemptFailure(description: "transcode error: \(result.error)")
        }
        var renditions: [[UInt8]] = []
        for rendition in transcoded.segments {
            let (fetched, bytes) = try await client.fetch(rendition.url)
            guard fetched == 200 else { throw AttemptFailure(description: "rendition fetch answered \(fetched)") }
            renditions.append(bytes)
        }
        let verifier = ResultVerifier(orchestrator: orchestrator, scratchDirectory: scratch)
        switch verifier.verify(result, renditions: renditions, expected: profiles.count) {
        case .success: return renditions
        case .failure(let failure): throw AttemptFailure(description: "verification failed: \(failure)")
        }
    }
}
