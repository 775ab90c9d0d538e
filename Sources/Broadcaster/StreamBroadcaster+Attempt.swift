import Dispatch
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import EthCrypto
import EventModel
import Payments
import SwiftProtobuf
import Wire

extension StreamBroadcaster {
    /// Ticket params, payment, POST /segment, the renditions fetched and verified (signature, then pixels).
    func attempt(_ segment: BroadcastSegment, at candidate: OrchestratorCandidate, attempt: Int,
                 segmentHash: Hash32) async throws(AttemptFailure) -> VerifiedResult {
        let started = DispatchTime.now().uptimeNanoseconds
        // 1. Ticket params and an auth token (GetOrchestrator).
        let info: Net_OrchestratorInfo
        if let cached = offers.offer(from: candidate.url) { info = cached } else {
            info = try await orchestratorInfo(candidate)
            offers.store(info, from: candidate.url)
        }
        let orchestrator: Address
        let paid: SenderPayment
        var data = Net_SegData()
        do {
            var wirePayment = Net_Payment()
            wirePayment.ticketParams = info.ticketParams
            wirePayment.sender = Data(key.address.bytes)
            wirePayment.expirationParams = info.ticketParams.expirationParams
            wirePayment.expectedPrice = info.priceInfo
            let offered = try Payment(wire: wirePayment)
            orchestrator = try Address(bytes: info.address)
            // 2. Pay for the segment's pixels at the offered price, and sign the segment.
            let pixels = UInt64(profiles.reduce(0) { $0 + Int($1.width) * Int($1.height) * Int(max(1, $1.fps)) })
                * UInt64(max(1, segment.durationMs)) / 1_000
            paid = try sender.pay(session: candidate.url, params: offered.ticketParams, price: offered.expectedPrice, pixels: pixels,
                                  deposit: funds.deposit, reserve: funds.reserve, currentBlock: 0, segmentSeq: UInt64(segment.seq))
            data.manifestID = Data(manifest.utf8)
            data.seq = segment.seq
            data.hash = Data(segmentHash.bytes)
            data.duration = segment.durationMs
            data.fullProfiles = profiles
            data.authToken = info.authToken
            data.sig = Data(try key.signMessage(SegmentSigning.flatten(data)).bytes)
        } catch {
            throw AttemptFailure(.errorReply, "unusable offer: \(error)")
        }
        telemetry.paid(paid, to: candidate.url)
        var text = EventText()
        let issued = paid.events.enumerated().map { index, event in
            event.envelope(id: "\(log.instance)/\(manifest)/\(segment.seq)/\(attempt)/ticket/\(index)",
                           timestamp: log.clock.nowMilliseconds(), stream: manifest, text: &text)
        }
        events.emit(issued + [log.dispatched(seq: segment.seq, orchestrator: orchestrator.checksummed, attempt: attempt,
                                             tickets: paid.payment.senderParams.count)])
        // 3. POST /segment.
        let (status, replyBytes) = try await postSegment(candidate, segment: data, payment: paid.payment.wire, body: segment.bytes)
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
        let elapsedMs = Int64((DispatchTime.now().uptimeNanoseconds - started) / 1_000_000)
        events.emit([log.transcoded(
            seq: segment.seq, orchestrator: orchestrator.checksummed, attempt: attempt,
            renditions: zip(transcoded.segments, zip(profiles, hashes)).map { entry, pair in
                BroadcasterEvents.Rendition(profile: pair.0.name.isEmpty ? "custom" : pair.0.name, width: Int(pair.0.width),
                                            height: Int(pair.0.height), pixels: entry.pixels, dataHash: pair.1, url: entry.url)
            },
            sig: Hex.encode(transcoded.sig, prefix: true), elapsedMs: elapsedMs)])
        let verifier = ResultVerifier(orchestrator: orchestrator, scratchDirectory: scratch)
        switch verifier.verify(result, renditions: renditions, expected: profiles.count, countPixels: policy.countPixels) {
        case .success(let verified):
            events.emit([log.passed(seq: segment.seq, orchestrator: orchestrator.checksummed, attempt: attempt,
                                    checks: policy.countPixels ? ["signature", "pixels"] : ["signature"],
                                    pixels: verified.pixels.reduce(0, +))])
            return verified
        case .failure(let failure):
            var reported: Int64?, measured: Int64?
            if case .pixelMismatch(_, let r, let m) = failure { (reported, measured) = (r, m) }
            let check = if case .badSignature = failure { "signature" } else { "pixels" }
            throw AttemptFailure(.verificationFailed, failure.description, verification: VerificationEvidence(
                check: check, segmentHash: segmentHash.hex, resultSig: Hex.encode(transcoded.sig, prefix: true),
                renditionHashes: hashes, reportedPixels: reported, measuredPixels: measured, psnrMillidecibels: nil,
                detail: failure.description))
        }
    }

    // MARK: transport (HTTP for now)

    /// GetOrchestrator over the edge's HTTP route.
    func orchestratorInfo(_ candidate: OrchestratorCandidate) async throws(AttemptFailure) -> Net_OrchestratorInfo {
        let (status, bytes) = try await fetch("\(candidate.url)/orchestrator-info?sender=\(key.address.checksummed)")
        guard status == 200 else { throw AttemptFailure(.errorReply, "orchestrator-info answered \(status)") }
        guard let info = try? Net_OrchestratorInfo(serializedBytes: bytes) else {
            throw AttemptFailure(.errorReply, "orchestrator-info is not an OrchestratorInfo")
        }
        return info
    }

    /// POST /segment with the Livepeer-Segment and Livepeer-Payment headers.
    func postSegment(_ candidate: OrchestratorCandidate, segment: Net_SegData, payment: Net_Payment,
                     body: [UInt8]) async throws(AttemptFailure) -> (Int, [UInt8]) {
        guard let url = URL(string: "\(candidate.url)/segment") else { throw AttemptFailure(.unreachable, "bad URL \(candidate.url)") }
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        do {
            request.setValue(try segment.serializedData().base64EncodedString(), forHTTPHeaderField: "Livepeer-Segment")
            request.setValue(try payment.serializedData().base64EncodedString(), forHTTPHeaderField: "Livepeer-Payment")
        } catch { throw AttemptFailure(.errorReply, "cannot encode the request: \(error)") }
        request.setValue("video/MP2T", forHTTPHeaderField: "Content-Type")
        do {
            let (reply, response) = try await session.upload(for: request, from: Data(body))
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, Array(reply))
        } catch { throw AttemptFailure(.unreachable, Self.brief(error, url: url.absoluteString)) }
    }

    /// GET, as status and body.
    func fetch(_ url: String) async throws(AttemptFailure) -> (Int, [UInt8]) {
        guard let address = URL(string: url) else { throw AttemptFailure(.errorReply, "bad URL \(url)") }
        do {
            let (data, response) = try await session.data(from: address)
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, Array(data))
        } catch { throw AttemptFailure(.unreachable, Self.brief(error, url: url)) }
    }

    /// A transport error in one line: what failed and where (Foundation's own description is a paragraph).
    static func brief(_ error: any Error, url: String) -> String {
        let nsError = error as NSError
        return "\(nsError.localizedDescription) (\(nsError.domain) \(nsError.code)) at \(url)"
    }
}
