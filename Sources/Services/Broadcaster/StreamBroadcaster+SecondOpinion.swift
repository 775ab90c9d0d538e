import Foundation
import EthCrypto
import Transcoding

extension StreamBroadcaster {
    /// What a second opinion found: the mean PSNR between the results, and the renditions to deliver instead
    /// when a third orchestrator sided against the first.
    struct SecondOpinion {
        let psnr: Double?
        /// The orchestrator whose result replaces the first one's, and its renditions.
        let replacement: (OrchestratorCandidate, [[UInt8]])?
    }

    /// Sends the segment to a second orchestrator and compares each rendition frame by frame. When they
    /// disagree (PSNR below the policy's minimum), a third breaks the tie: the one that disagrees with it is
    /// recorded with the evidence and suspended. With no third, both are recorded and the first is kept.
    func secondOpinion(_ segment: BroadcastSegment, primary: OrchestratorCandidate, primaryRenditions: [[UInt8]],
                       tried: inout Set<String>, attempt: inout Int, segmentHash: Hash32) async -> SecondOpinion {
        guard let (second, secondRenditions) = await anotherResult(segment, tried: &tried, attempt: &attempt,
                                                                   segmentHash: segmentHash) else {
            return SecondOpinion(psnr: nil, replacement: nil)
        }
        let psnr = compare(primaryRenditions, secondRenditions)
        guard let psnr, psnr < policy.minimumPSNR else { return SecondOpinion(psnr: psnr, replacement: nil) }
        let third = await anotherResult(segment, tried: &tried, attempt: &attempt, segmentHash: segmentHash)
        let primaryScore = third.flatMap { compare(primaryRenditions, $0.1) } ?? .infinity
        let secondScore = third.flatMap { compare(secondRenditions, $0.1) } ?? .infinity
        let losers: [(OrchestratorCandidate, [[UInt8]])] = third == nil ? [(primary, primaryRenditions), (second, secondRenditions)]
            : primaryScore >= secondScore ? [(second, secondRenditions)] : [(primary, primaryRenditions)]
        for (candidate, renditions) in losers {
            let evidence = VerificationEvidence(
                check: "psnr", segmentHash: segmentHash.hex, resultSig: nil, renditionHashes: renditions.map { Keccak256.hash($0).hex },
                reportedPixels: nil, measuredPixels: nil, psnrMillidecibels: Int64((psnr * 1_000).rounded()),
                detail: String(format: "mean luma PSNR %.2f dB against another orchestrator's result (minimum %.1f)", psnr,
                               policy.minimumPSNR))
            record(AttemptFailure(.verificationFailed, evidence.detail, verification: evidence), of: candidate, seq: segment.seq,
                   attempt: attempt, final: false)
        }
        let primaryLost = losers.contains { $0.0.url == primary.url } && third != nil
        return SecondOpinion(psnr: psnr, replacement: primaryLost ? (second, secondRenditions) : nil)
    }

    /// One more verified result from an orchestrator not tried yet for this segment, or nil.
    private func anotherResult(_ segment: BroadcastSegment, tried: inout Set<String>, attempt: inout Int,
                               segmentHash: Hash32) async -> (OrchestratorCandidate, [[UInt8]])? {
        guard let candidate = choose(from: candidates.filter { !tried.contains($0.url) }, seq: segment.seq) else {
            return nil
        }
        tried.insert(candidate.url)
        attempt += 1
        switch await attemptWithTimeout(segment, at: candidate, attempt: attempt,
                                        seconds: policy.attemptSeconds(durationMs: segment.durationMs), segmentHash: segmentHash) {
        case .success(let result): return (candidate, result.renditions)
        case .failure(let failure):
            record(failure, of: candidate, seq: segment.seq, attempt: attempt, final: false)
            return nil
        }
    }

    /// The lowest per-rendition mean PSNR between two results, or nil when they cannot be compared.
    func compare(_ first: [[UInt8]], _ second: [[UInt8]]) -> Double? {
        guard first.count == second.count, !first.isEmpty else { return nil }
        var lowest = Double.infinity
        for (a, b) in zip(first, second) {
            let pathA = (scratch as NSString).appendingPathComponent("psnr-\(UUID().uuidString).ts")
            let pathB = (scratch as NSString).appendingPathComponent("psnr-\(UUID().uuidString).ts")
            defer {
                try? FileManager.default.removeItem(atPath: pathA)
                try? FileManager.default.removeItem(atPath: pathB)
            }
            guard (try? Data(a).write(to: URL(fileURLWithPath: pathA))) != nil, (try? Data(b).write(to: URL(fileURLWithPath: pathB))) != nil,
                  let result = try? FrameComparison.psnr(pathA, pathB) else { return nil }
            lowest = min(lowest, result.psnr)
        }
        return lowest
    }
}
