import Dispatch
import Foundation
import EthCrypto
import EventModel
import Payments
import SwiftProtobuf
import Wire

extension StreamBroadcaster {
    /// Ticket params, payment, POST /segment, the renditions fetched and verified (signature, then pixels).
    func attempt(_ segment: BroadcastSegment, at candidate: OrchestratorCandidate, attempt: Int,
                 segmentHash: Hash32) async throws(AttemptFailure) -> VerifiedResult {
        let started = log.clock.nowMilliseconds()
        // 1. Ticket params and an auth token (GetOrchestrator).
        let info: Net_OrchestratorInfo
        if let cached = offers.offer(from: candidate.url) { info = cached } else {
            info = try await orchestratorInfo(candidate)
            offers.store(info, from: candidate.url)
        }
        guard LivepeerCapabilities.passesDiscovery(job: jobCapabilities, info: info) else {
            throw AttemptFailure(.errorReply, "the orchestrator does not offer the capabilities this job needs")
        }
        let orchestrator: Address
        var paid: SenderPayment?
        var data = Net_SegData()
        do {
            orchestrator = try Address(bytes: info.address)
            if !policy.offchain {
                // 2. Pay for the segment's pixels at the offered price.
                let offered = try Payment(offer: info, sender: key.address)
                let pixels = UInt64(profiles.reduce(0) { $0 + Int($1.width) * Int($1.height) * Int(max(1, $1.fps)) })
                    * UInt64(max(1, segment.durationMs)) / 1_000
                paid = try sender.pay(session: candidate.url, params: offered.ticketParams, price: offered.expectedPrice,
                                      pixels: pixels, deposit: funds.deposit, reserve: funds.reserve, currentBlock: 0,
                                      segmentSeq: UInt64(segment.seq))
            }
            // The segment's credentials, as go-livepeer's `genSegCreds` and `NetSegData` make them.
            data.manifestID = Data(manifest.utf8)
            data.seq = segment.seq
            data.hash = Data(segmentHash.bytes)
            data.duration = segment.durationMs
            data.fullProfiles = profiles
            data.profiles = SegmentSigning.legacyProfilesMarker
            data.capabilities = jobCapabilities
            data.authToken = info.authToken
            if !policy.offchain { try SegmentSigning.sign(&data, key: key) }
        } catch {
            throw AttemptFailure(.errorReply, "unusable offer: \(error)")
        }
        if let paid {
            telemetry.paid(paid, to: candidate.url)
            offers.spend(paid.payment.senderParams.count, from: candidate.url)
            var text = EventText()
            let issued = paid.events.enumerated().map { index, event in
                event.envelope(id: "\(log.instance)/\(manifest)/\(segment.seq)/\(attempt)/ticket/\(index)",
                               timestamp: log.clock.nowMilliseconds(), stream: manifest, text: &text)
            }
            events.emit(issued)
        }
        events.emit([log.dispatched(seq: segment.seq, orchestrator: orchestrator.checksummed, attempt: attempt,
                                    tickets: paid?.payment.senderParams.count ?? 0)])
        // 3. POST /segment.
        let (status, replyBytes) = try await postSegment(info, segment: data, payment: paid?.payment.wire, body: segment.bytes,
                                                         timeout: .seconds(Int(policy.attemptSeconds(durationMs: segment.durationMs).rounded(.up))))
        guard status == 200 else {
            throw AttemptFailure.refused(status: status, body: String(decoding: replyBytes.prefix(300), as: UTF8.self))
        }
        guard let result = try? Net_TranscodeResult(serializedBytes: replyBytes) else {
            throw AttemptFailure(.errorReply, "the reply is not a TranscodeResult")
        }
        guard case .data(let transcoded)? = result.result else {
            throw AttemptFailure(.errorReply, "transcode error: \(result.error)")
        }
        // 4. Fetch and verify.
        var renditions: [[UInt8]] = []
        for rendition in transcoded.segments {
            let (fetched, bytes) = try await fetch(rendition.url)
            guard fetched == 200 else { throw AttemptFailure(.errorReply, "rendition fetch answered \(fetched)") }
            renditions.append(bytes)
        }
        let hashes = renditions.map { Keccak256.hash($0).hex }
        let elapsedMs = max(0, log.clock.nowMilliseconds() - started)
        let transcodedEvent = log.transcoded(
            seq: segment.seq, orchestrator: orchestrator.checksummed, attempt: attempt,
            renditions: zip(transcoded.segments, zip(profiles, hashes)).map { entry, pair in
                SegmentRendition(profile: pair.0.name.isEmpty ? "custom" : pair.0.name, width: Int64(pair.0.width),
                                 height: Int64(pair.0.height), pixels: entry.pixels, dataHash: pair.1, url: entry.url)
            },
            sig: Hex.encode(transcoded.sig, prefix: true), elapsedMs: elapsedMs)
        let verifier = ResultVerifier(orchestrator: orchestrator, scratchDirectory: scratch)
        switch verifier.verify(result, renditions: renditions, expected: profiles.count, countPixels: policy.countPixels,
                               unsignedAllowed: policy.offchain && !info.hasTicketParams) {
        case .success(let verified):
            events.emit([transcodedEvent, log.passed(seq: segment.seq, orchestrator: orchestrator.checksummed, attempt: attempt,
                                    checks: policy.countPixels ? ["signature", "pixels"] : ["signature"],
                                    pixels: verified.pixels.reduce(0, +))])
            return verified
        case .failure(let failure):
            var reported: Int64?, measured: Int64?
            if case .pixelMismatch(_, let r, let m) = failure { (reported, measured) = (r, m) }
            let check = if case .badSignature = failure { "signature" } else { "pixels" }
            // A result whose signature holds is what the orchestrator delivered and signed; one whose signature
            // does not is only evidence (kept in verification.failed), never a transcoded segment.
            switch failure {
            case .pixelMismatch, .undecodable: events.emit([transcodedEvent])
            default: break
            }
            throw AttemptFailure(.verificationFailed, failure.description, verification: VerificationEvidence(
                check: check, segmentHash: segmentHash.hex, resultSig: Hex.encode(transcoded.sig, prefix: true),
                renditionHashes: hashes, reportedPixels: reported, measuredPixels: measured, psnrMillidecibels: nil,
                detail: failure.description))
        }
    }

    /// What this broadcaster's jobs need (H.264 in and out, MPEG-TS, auth tokens), sent with every request.
    var jobCapabilities: Net_Capabilities { LivepeerCapabilities.job() }

    // MARK: transport (gRPC GetOrchestrator; HTTPS to the edge the orchestrator named)

    /// GetOrchestrator over gRPC at the candidate's address.
    func orchestratorInfo(_ candidate: OrchestratorCandidate) async throws(AttemptFailure) -> Net_OrchestratorInfo {
        do { return try await client.getOrchestrator(candidate.url, offchain: policy.offchain) } catch {
            throw AttemptFailure(.unreachable, "GetOrchestrator at \(candidate.url): \(error)")
        }
    }

    /// POST /segment with the Livepeer-Segment and Livepeer-Payment headers, to `info.transcoder`.
    func postSegment(_ info: Net_OrchestratorInfo, segment: Net_SegData, payment: Net_Payment?, body: [UInt8],
                     timeout: Duration) async throws(AttemptFailure) -> (Int, [UInt8]) {
        do {
            return try await client.postSegment(transcoderURL: info.transcoder, segment: segment, payment: payment, body: body,
                                                timeout: timeout)
        } catch { throw AttemptFailure(.unreachable, "POST \(info.transcoder)/segment: \(error)") }
    }

    /// GET, as status and body.
    func fetch(_ url: String) async throws(AttemptFailure) -> (Int, [UInt8]) {
        do {
            let (status, body) = try await client.fetch(url)
            return (status, body)
        } catch { throw AttemptFailure(.unreachable, "GET \(url): \(error)") }
    }
}
