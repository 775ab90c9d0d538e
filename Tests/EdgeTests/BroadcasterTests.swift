import Broadcaster
import EthCrypto
import Foundation
import Testing
import TestSupport
import Transcoding
import Wire

/// The broadcaster's choices and checks: selection by price and stake with suspension, and verification
/// that catches a tampered rendition, a wrong pixel count and a forged signature.
@Suite("broadcaster")
struct BroadcasterTests {
    @Test("selection: never above the max price, never a suspended one; cheaper and better-staked chosen more often")
    func selection() throws {
        let cheap = OrchestratorCandidate(address: try PrivateKey.generate().address, url: "a", pricePerPixel: 1, stake: 100)
        let dear = OrchestratorCandidate(address: try PrivateKey.generate().address, url: "b", pricePerPixel: 4, stake: 100)
        let tooDear = OrchestratorCandidate(address: try PrivateKey.generate().address, url: "c", pricePerPixel: 50, stake: 1_000)
        var selection = OrchestratorSelection(maxPricePerPixel: 10, seed: 1)
        var counts: [String: Int] = [:]
        for seq in 0..<4_000 {
            let chosen = selection.choose([cheap, dear, tooDear], count: 1, seq: seq)
            counts[chosen.first?.url ?? "-", default: 0] += 1
        }
        #expect(counts["c"] == nil)
        // Weights 100 : 25 → the cheap one about 80% of the time.
        let share = Double(counts["a"] ?? 0) / 4_000
        #expect(share > 0.76 && share < 0.84, "\(share)")
        selection.suspend(cheap.address, at: 10)
        #expect(selection.choose([cheap, dear], count: 2, seq: 11).map(\.url) == ["b"])
        #expect(selection.choose([cheap, dear], count: 2, seq: 12).count == 2)
        selection.suspend(cheap.address, at: 20)
        #expect(selection.choose([cheap, dear], count: 2, seq: 23).map(\.url) == ["b"], "a second failure suspends longer")
        // A seq named by a pushed segment may be Int64.max: the suspension saturates instead of trapping.
        var fresh = OrchestratorSelection(maxPricePerPixel: 10, seed: 2)
        for _ in 0..<3 { fresh.suspend(dear.address, at: Int.max) }
        #expect(fresh.suspendedUntil[dear.address] == .max)
        #expect(fresh.choose([cheap, dear], count: 2, seq: Int.max - 1).map(\.url) == ["a"])
    }

    @Test("verification: a good result passes; tampered bytes, a wrong pixel count or another signer fail with evidence")
    func verification() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sf-verify-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        LibavLog.errorsOnly()
        let file = directory + "/r.ts"
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=256x144:rate=30", "-t", "1", "-c:v", "libx264",
                               "-preset", "ultrafast", "-pix_fmt", "yuv420p", file])
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
        let orchestrator = try PrivateKey.generate()
        func result(pixels: Int64, signer: PrivateKey, over renditions: [[UInt8]]) throws -> Net_TranscodeResult {
            var entry = Net_TranscodedSegmentData()
            entry.url = "/r.ts"
            entry.pixels = pixels
            var data = Net_TranscodeData()
            data.segments = [entry]
            data.sig = Data(try signer.signMessage(SegmentSigning.resultMessage(renditionHashes: renditions.map { Keccak256.hash($0) }).bytes).bytes)
            var reply = Net_TranscodeResult()
            reply.data = data
            return reply
        }
        let verifier = ResultVerifier(orchestrator: orchestrator.address, scratchDirectory: directory)
        let truth = Int64(30 * 256 * 144)
        #expect(try { if case .success = verifier.verify(try result(pixels: truth, signer: orchestrator, over: [bytes]), renditions: [bytes], expected: 1) { true } else { false } }())
        // Tampered: the bytes fetched are not the bytes signed.
        var tampered = bytes
        tampered[tampered.count / 2] ^= 0xff
        #expect(try verifier.verify(result(pixels: truth, signer: orchestrator, over: [bytes]), renditions: [tampered], expected: 1).failure == .badSignature)
        // Honest bytes, dishonest count (billing for more pixels than delivered).
        #expect(try verifier.verify(result(pixels: truth * 2, signer: orchestrator, over: [bytes]), renditions: [bytes], expected: 1).failure
                == .pixelMismatch(index: 0, reported: truth * 2, counted: truth))
        #expect(try verifier.verify(result(pixels: truth, signer: PrivateKey.generate(), over: [bytes]), renditions: [bytes], expected: 1).failure == .badSignature)
        #expect(try verifier.verify(result(pixels: truth, signer: orchestrator, over: [bytes]), renditions: [bytes], expected: 2).failure
                == .renditionCountMismatch(expected: 2, got: 1))
        // A count no rendition has (negative, or beyond 2^48) is refused before anything is summed, counting or not.
        for lie in [Int64(-1), Int64.max] {
            for countPixels in [true, false] {
                #expect(try verifier.verify(result(pixels: lie, signer: orchestrator, over: [bytes]), renditions: [bytes], expected: 1,
                                            countPixels: countPixels).failure == .implausiblePixels(index: 0, reported: lie))
            }
        }
    }
}

extension Result {
    var failure: Failure? { if case .failure(let error) = self { error } else { nil } }
}
