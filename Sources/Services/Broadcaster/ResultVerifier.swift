import Foundation
public import EthCrypto
import Transcoding
public import Wire

/// Why a broadcaster refused an orchestrator's result for a segment (each is evidence for a dispute).
public enum VerificationFailure: Error, Equatable, Sendable, CustomStringConvertible {
    case orchestratorError(String)
    case renditionCountMismatch(expected: Int, got: Int)
    case badSignature
    case pixelMismatch(index: Int, reported: Int64, counted: Int64)
    case undecodable(index: Int, reason: String)
    /// A count below zero or above `RenditionMultipart.maxPixels`: no rendition has it.
    case implausiblePixels(index: Int, reported: Int64)

    public var description: String {
        switch self {
        case .orchestratorError(let message): "the orchestrator returned an error: \(message)"
        case .renditionCountMismatch(let expected, let got): "expected \(expected) renditions, got \(got)"
        case .badSignature: "the result signature is not the orchestrator's"
        case .pixelMismatch(let index, let reported, let counted): "rendition \(index): \(reported) pixels reported, \(counted) decoded"
        case .undecodable(let index, let reason): "rendition \(index) does not decode: \(reason)"
        case .implausiblePixels(let index, let reported): "rendition \(index): \(reported) pixels reported, which no rendition has"
        }
    }
}

/// A verified result: each rendition's bytes and pixel count.
public struct VerifiedResult: Sendable {
    public let seq: Int64
    public let renditions: [[UInt8]]
    public let pixels: [Int64]
}

/// The broadcaster's checks on a TranscodeResult and the renditions it fetched: the orchestrator's signature
/// over keccak256(keccak256(r₁) ‖ … ‖ keccak256(rₙ)), then every rendition decoded and its pixels counted
/// against what the orchestrator reported (and billed).
public struct ResultVerifier: Sendable {
    public let orchestrator: Address
    public let scratchDirectory: String

    public init(orchestrator: Address, scratchDirectory: String) {
        self.orchestrator = orchestrator
        self.scratchDirectory = scratchDirectory
    }

    /// Checks the signature, then (when `countPixels`) decodes each rendition and compares its pixel count.
    /// `unsignedAllowed` is go-livepeer's off-chain rule (verification/verify.go): an orchestrator that offered no
    /// ticket params may send no signature; one it does send is still checked.
    public func verify(_ result: Net_TranscodeResult, renditions: [[UInt8]], expected: Int,
                       countPixels: Bool = true, unsignedAllowed: Bool = false) -> Result<VerifiedResult, VerificationFailure> {
        guard case .data(let data)? = result.result else {
            if case .error(let message)? = result.result { return .failure(.orchestratorError(message)) }
            return .failure(.orchestratorError("empty result"))
        }
        guard data.segments.count == expected, renditions.count == expected else {
            return .failure(.renditionCountMismatch(expected: expected, got: min(data.segments.count, renditions.count)))
        }
        if let index = data.segments.firstIndex(where: { !(0...RenditionMultipart.maxPixels).contains($0.pixels) }) {
            return .failure(.implausiblePixels(index: index, reported: data.segments[index].pixels))
        }
        let message = SegmentSigning.resultMessage(renditionHashes: renditions.map { Keccak256.hash($0) })
        if !(unsignedAllowed && data.sig.isEmpty) {
            guard let signature = try? Signature(bytes: data.sig),
                  signature.isValid(message: message.bytes, signer: orchestrator) else { return .failure(.badSignature) }
        }
        guard countPixels else {
            return .success(VerifiedResult(seq: result.seq, renditions: renditions, pixels: data.segments.map(\.pixels)))
        }
        var counted: [Int64] = []
        for (index, bytes) in renditions.enumerated() {
            let file = (scratchDirectory as NSString).appendingPathComponent("verify-\(UUID().uuidString).ts")
            defer { try? FileManager.default.removeItem(atPath: file) }
            do {
                try Data(bytes).write(to: URL(fileURLWithPath: file))
                let count = try PixelCounter.count(path: file)
                counted.append(Int64(count.pixels))
            } catch {
                return .failure(.undecodable(index: index, reason: "\(error)"))
            }
            if counted[index] != data.segments[index].pixels {
                return .failure(.pixelMismatch(index: index, reported: data.segments[index].pixels, counted: counted[index]))
            }
        }
        return .success(VerifiedResult(seq: result.seq, renditions: renditions, pixels: counted))
    }
}
