import Foundation
public import EthCrypto
public import Orchestrator
public import Wire

/// A labelled fault drill: wraps the node's signer and commits `faults` around it — answers late, serves the first
/// segment's renditions again, over-reports pixels, signs with a stranger's key, or changes the bytes after
/// signing. Composed in by the demo, `orchestrator --tamper` and the failover tests; the product never builds one.
public struct FaultySigner: ResultSigner {
    public let base: any ResultSigner
    public let faults: NodeFaults

    public init(wrapping base: any ResultSigner = HonestResultSigner(), faults: NodeFaults) {
        self.base = base
        self.faults = faults
    }

    public func sign(_ renditions: [TranscodedRendition], seq: Int64, stream: String, publicURL: String,
                     key: PrivateKey) async throws -> Net_TranscodeResult {
        if faults.delaySeconds > 0 { try await Task.sleep(for: .milliseconds(Int64(faults.delaySeconds * 1_000))) }
        let files = FileManager.default
        if faults.staleRenditions, seq > 0 {
            for rendition in renditions {
                let first = rendition.file.replacingOccurrences(of: "_\(seq).ts", with: "_0.ts")
                if files.fileExists(atPath: first) {
                    try files.removeItem(atPath: rendition.file)
                    try files.copyItem(atPath: first, toPath: rendition.file)
                }
            }
        }
        let reported = faults.overreportPixels
            ? renditions.map { TranscodedRendition(profile: $0.profile, file: $0.file, pixels: $0.pixels + $0.pixels / 10) }
            : renditions
        let signer = faults.signWithWrongKey ? try PrivateKey.generate() : key
        let result = try await base.sign(reported, seq: seq, stream: stream, publicURL: publicURL, key: signer)
        if faults.tamperRenditions {
            for rendition in renditions {
                var bytes = try Data(contentsOf: URL(fileURLWithPath: rendition.file))
                bytes[bytes.count / 2] ^= 0xff
                try bytes.write(to: URL(fileURLWithPath: rendition.file))
            }
        }
        return result
    }
}
