import Testing
@testable import EthCrypto

@Suite("keccak256")
struct KeccakTests {
    @Test("published Keccak-256 vectors", arguments: [
        ("", "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"),
        ("abc", "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"),
        ("The quick brown fox jumps over the lazy dog",
         "0x4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15"),
    ])
    func publishedVectors(input: String, expected: String) {
        #expect(Keccak256.hash(Array(input.utf8)).hex == expected)
    }

    /// go-livepeer's ticket hash vectors: 168 bytes (or 232 with auxData) cross a block boundary.
    @Test("Livepeer ticket hash vectors")
    func livepeerTicketVectors() throws {
        func ticket(recipient: [UInt8] = .init(repeating: 0, count: 20), faceValue: UInt64 = 0, winProb: UInt64 = 0,
                    nonce: UInt64 = 0, aux: [UInt8] = []) -> [UInt8] {
            func word(_ v: UInt64) -> [UInt8] { [UInt8](repeating: 0, count: 24) + (0..<8).map { UInt8(truncatingIfNeeded: v >> (56 - 8 * UInt64($0))) } }
            return recipient + [UInt8](repeating: 0, count: 20) + word(faceValue) + word(winProb) + word(nonce)
                + [UInt8](repeating: 0, count: 32) + aux
        }
        #expect(Keccak256.hash(ticket(nonce: 4_294_967_295)).hex
            == "0xe1393fc7f6de093780674022f96cb8e3872235167d037c04d554e58c0e63d280")
        #expect(Keccak256.hash(ticket(nonce: 1)).hex
            == "0xce0918ba94518293e9712effbe5fca4f1f431089833a5b8c257cb1e024595f68")
        #expect(Keccak256.hash(ticket(faceValue: 1, winProb: 500)).hex
            == "0x87ef13f2d37e4d5352a01d3c77b8179d80e0887f1953bfabfd0bfd7b0f689ddd")
        let recipient = try Address("0x73AEd7b5dEb30222fa896f399d46cC99c7BEe57F").bytes
        #expect(Keccak256.hash(ticket(recipient: recipient)).hex
            == "0x81e353ae39046e2b77b9f996abbaeed527fda559b61ef90f299c4499dd508ccc")
        let round = [UInt8](repeating: 0, count: 31) + [10]
        let blockHash = try Hex.decode("0x41b1a0649752af1b28b3dc29a1556eee781e4a4c3a1f7f53f90fa834de098c4d")
        #expect(Keccak256.hash(ticket(aux: round + blockHash)).hex
            == "0xe502907c16036ab3d11b78c5a2e93c20f3d6415c67f91de4ed01348182b3b2e2")
    }

    @Test("incremental updates in any split equal the one-shot hash")
    func incrementalMatchesOneShot() {
        var generator = SystemRandomNumberGenerator()
        for length in [0, 1, 135, 136, 137, 271, 272, 273, 1000, 4097] {
            let data = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let expected = Keccak256.hash(data)
            var hasher = Keccak256()
            var offset = 0
            while offset < length {
                let step = Int.random(in: 1...200, using: &generator)
                hasher.update(data[offset..<min(length, offset + step)])
                offset += step
            }
            #expect(hasher.finalize() == expected, "length \(length)")
        }
    }

    @Test("Hash32 parses, prints and orders like a big-endian integer")
    func hash32() throws {
        let text = "0x00000000000000000000000000000000000000000000000000000000000000ff"
        let small = try Hash32(hex: text)
        #expect(small.hex == text)
        #expect(small < (try Hash32(hex: "0x0100000000000000000000000000000000000000000000000000000000000000")))
        #expect(throws: EthCryptoError.invalidLength(what: "32-byte hash", expected: 32, actual: 31)) {
            try Hash32(bytes: [UInt8](repeating: 0, count: 31))
        }
    }
}
