internal import CSecp256k1
import EthCrypto

/// `streamflow bench crypto`: keccak256, signing and recovery through EthCrypto, with the raw
/// libsecp256k1 recovery call measured in the same run as the anchor.
public enum CryptoBenchmark {
    /// The figures of one run, and the goals they are checked against.
    public struct Report: Sendable, Codable {
        public let measurements: [Measurement]
        /// EthCrypto recoverAddress ÷ raw parse+recover+serialize (goal ≤ 1.2).
        public let recoverOverheadRatio: Double
        /// keccak256 throughput on 1 KiB inputs in MB/s (goal ≥ 250).
        public let keccak1KiBMegabytesPerSecond: Double
        public let goalsMet: Bool
    }

    public static func run(scale: Double = 1) throws -> Report {
        let n = { (base: Int) in max(1, Int(Double(base) * scale)) }
        let small = [UInt8](repeating: 0xA5, count: 32)
        let kibibyte = (0..<1024).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let key = try PrivateKey.generate()
        let digest = Keccak256.hash(small)
        let signature = try key.sign(digest: digest)
        let message = Array("a 32-byte ticket hash goes here!".utf8)
        let signedMessage = try key.signMessage(message)

        var results: [Measurement] = []
        results.append(measure("keccak256 32 B", iterations: n(400_000), bytes: 32) { blackHole(Keccak256.hash(small)) })
        results.append(measure("keccak256 1 KiB", iterations: n(40_000), bytes: 1024) { blackHole(Keccak256.hash(kibibyte)) })
        let eight = [[UInt8]](repeating: kibibyte, count: 8)
        results.append(measure("keccak256 1 KiB, 8 at once (batch absorb)", iterations: n(5_000), bytes: 8 * 1024) {
            blackHole(Keccak256.absorbing(eight).map { $0.finalize() })
        })
        results.append(measure("sign (digest)", iterations: n(4_000)) { blackHole(try? key.sign(digest: digest)) })
        let raw = RawRecover(signature: signature.bytes, digest: digest.bytes)
        let rawResult = measure("recover raw libsecp256k1 (anchor)", iterations: n(4_000)) { blackHole(raw.run()) }
        let wrapped = measure("recover EthCrypto (digest → address)", iterations: n(4_000)) {
            blackHole(try? signature.recoverAddress(digest: digest))
        }
        results.append(rawResult)
        results.append(wrapped)
        results.append(measure("recover EthCrypto (message, prefix-hashed)", iterations: n(4_000)) {
            blackHole(try? signedMessage.recoverSigner(message: message))
        })
        let ratio = wrapped.nanosecondsPerOperation / rawResult.nanosecondsPerOperation
        let keccakRate = results[1].megabytesPerSecond ?? 0
        return Report(
            measurements: results, recoverOverheadRatio: ratio, keccak1KiBMegabytesPerSecond: keccakRate,
            goalsMet: ratio <= 1.2 && keccakRate >= 250)
    }
}

/// The anchor: the C calls EthCrypto's recovery makes (parse compact, recover, serialize), with
/// its own context, and nothing else. Lives here only so the benchmark can compare against it.
final class RawRecover {
    private let context: OpaquePointer
    private let signature: [UInt8]
    private let digest: [UInt8]

    init(signature: [UInt8], digest: [UInt8]) {
        context = secp256k1_context_create(sf_secp256k1_context_none())!
        self.signature = signature
        self.digest = digest
    }

    deinit { secp256k1_context_destroy(context) }

    func run() -> UInt8 {
        var recoverable = secp256k1_ecdsa_recoverable_signature()
        _ = secp256k1_ecdsa_recoverable_signature_parse_compact(context, &recoverable, signature, Int32(signature[64] - 27))
        var pubkey = secp256k1_pubkey()
        _ = secp256k1_ecdsa_recover(context, &pubkey, &recoverable, digest)
        var out = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        var length = 65
        return withUnsafeMutableBytes(of: &out) { buffer in
            let base = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
            _ = secp256k1_ec_pubkey_serialize(context, base, &length, &pubkey, sf_secp256k1_ec_uncompressed())
            return base[64]
        }
    }
}
