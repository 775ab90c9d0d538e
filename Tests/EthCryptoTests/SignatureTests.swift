import Testing
@testable import EthCrypto

@Suite("secp256k1 signatures")
struct SignatureTests {
    static let vectorMessage = "b7da355477356fc4c47fcabcf232dc77a6db9b07b7e48b76261cc55cc8fbabb3"
    static let vectorSignature = "206443228e8f784bc3a122de0d85eb3ebff82d6a79cca26c7eeb907099a6404f6dff57bc6828f28bd6cd073c89d94cf3364204679ed8365fa45b5ee6af19a9841c"
    static let highSSignature = "e742ff452d41413616a5bf43fe15dd88294e983d3d36206c2712f39083d638bde0a0fc89be718fbc1033e1d30d78be1c68081562ed2e97af876f286f3453231d1b"

    @Test("go-livepeer's recovery vector")
    func livepeerRecoveryVector() throws {
        let signature = try Signature(hex: Self.vectorSignature)
        let signer = try signature.recoverSigner(message: Hex.decode(Self.vectorMessage))
        #expect(signer.checksummed == "0x3BadDb1eeE2105893136A3F96c8a963E9C6309d6")
    }

    @Test("go-livepeer's high-S vector is rejected")
    func highSRejected() {
        #expect(throws: EthCryptoError.highS) { try Signature(hex: Self.highSSignature) }
    }

    @Test("sign then recover gives the signer; another message does not")
    func roundTrip() throws {
        let key = try PrivateKey.generate()
        let message = Array("segment 7".utf8)
        let signature = try key.signMessage(message)
        #expect([27, 28].contains(signature.v))
        #expect(try signature.recoverSigner(message: message) == key.address)
        #expect(signature.isValid(message: message, signer: key.address))
        #expect(!signature.isValid(message: Array("segment 8".utf8), signer: key.address))
    }

    @Test("signing is deterministic (RFC 6979)")
    func deterministic() throws {
        let key = try PrivateKey(hex: "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
        #expect(key.address.checksummed == "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23")
        #expect(try key.signMessage([1, 2, 3]) == (try key.signMessage([1, 2, 3])))
    }

    @Test("bad signatures give typed errors, never a crash")
    func badInput() throws {
        let good = try Hex.decode(Self.vectorSignature)
        #expect(throws: EthCryptoError.invalidLength(what: "signature", expected: 65, actual: 64)) {
            try Signature(bytes: good.prefix(64))
        }
        #expect(throws: EthCryptoError.invalidLength(what: "signature", expected: 65, actual: 66)) {
            try Signature(bytes: good + [0])
        }
        for v: UInt8 in [0, 1, 26, 29, 255] {
            var bytes = good
            bytes[64] = v
            #expect(throws: EthCryptoError.invalidRecoveryID(v)) { try Signature(bytes: bytes) }
        }
        #expect(throws: EthCryptoError.self) { try Signature(hex: "0xzz") }
        #expect(throws: EthCryptoError.self) { try Signature(hex: String(Self.vectorSignature.dropLast())) }
        // r = 0 and s = 0 parse by length but recover to nothing.
        let zero = try Signature(bytes: [UInt8](repeating: 0, count: 64) + [27])
        #expect(throws: EthCryptoError.invalidSignature) { try zero.recoverSigner(message: [1]) }
        // r ≥ n (all 0xff) is refused at parse time inside libsecp256k1.
        let overflow = try Signature(bytes: [UInt8](repeating: 0xFF, count: 32) + [UInt8](repeating: 0, count: 31) + [1, 27])
        #expect(throws: EthCryptoError.invalidSignature) { try overflow.recoverSigner(message: [1]) }
    }

    @Test("invalid private keys are refused")
    func badKeys() {
        #expect(throws: EthCryptoError.invalidPrivateKey) { try PrivateKey(bytes: [UInt8](repeating: 0, count: 32)) }
        #expect(throws: EthCryptoError.invalidPrivateKey) { try PrivateKey(bytes: [UInt8](repeating: 0xFF, count: 32)) }
        #expect(throws: EthCryptoError.invalidLength(what: "private key", expected: 32, actual: 31)) {
            try PrivateKey(bytes: [UInt8](repeating: 1, count: 31))
        }
    }
}
