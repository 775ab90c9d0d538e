import Foundation
public import EthCrypto
public import Wire

/// Turns a segment's renditions into the signed result a broadcaster verifies: each rendition's URL and pixels, and
/// the orchestrator's signature over keccak256 of the renditions' hashes (go-livepeer's result message). The product
/// signs honestly (`HonestResultSigner`); fault drills wrap a signer in a decorator from the Drills target.
public protocol ResultSigner: Sendable {
    func sign(_ renditions: [TranscodedRendition], seq: Int64, stream: String, publicURL: String,
              key: PrivateKey) async throws -> Net_TranscodeResult
}

/// The product's signer: hashes the bytes on disk, names them under the edge's URL, signs with the node's key.
public struct HonestResultSigner: ResultSigner {
    public init() {}

    public func sign(_ renditions: [TranscodedRendition], seq: Int64, stream: String, publicURL: String,
                     key: PrivateKey) async throws -> Net_TranscodeResult {
        var data = Net_TranscodeData()
        var hashes: [Hash32] = []
        for rendition in renditions {
            hashes.append(Keccak256.hash(try Data(contentsOf: URL(fileURLWithPath: rendition.file))))
            var entry = Net_TranscodedSegmentData()
            entry.url = "\(publicURL)/stream/\(stream)/\((rendition.file as NSString).lastPathComponent)"
            entry.pixels = rendition.pixels
            data.segments.append(entry)
        }
        data.sig = Data(try key.signMessage(SegmentSigning.resultMessage(renditionHashes: hashes).bytes).bytes)
        var reply = Net_TranscodeResult()
        reply.seq = seq
        reply.data = data
        return reply
    }
}
