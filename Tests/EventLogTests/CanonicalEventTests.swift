import EthCrypto
import EventModel
import JSONCore
import Testing

@Suite("canonical event bytes and hash")
struct CanonicalEventTests {
    @Test("content layout is as documented, and decodes back")
    func layout() throws {
        let envelope = EventEnvelope(id: "e1", type: "round.started", version: 1, topic: .settlement,
                                     keys: EventKeys(stream: "s"), timestamp: 258,
                                     payload: ["round": 1, "block": 2, "blockHash": "0x00"])
        let content = try CanonicalEvent.content(of: envelope)
        var expected: [UInt8] = Array("SFE1".utf8)
        func str(_ s: String) { expected += [0, 0, 0, UInt8(s.utf8.count)] + Array(s.utf8) }
        str("e1"); str("round.started"); expected += [0, 0, 0, 1]; str("settlement")
        str("s"); str(""); str(""); str("")
        expected += [0, 0, 0, 0, 0, 0, 1, 2]
        str(#"{"block":2,"blockHash":"0x00","round":1}"#)
        #expect(content == expected)
        let decoded = try content.withUnsafeBytes { try CanonicalEvent.decode(content: $0) }
        #expect(decoded == envelope)
        let hash = CanonicalEvent.hash(content: content, sequence: 7, previous: .zero)
        #expect(hash == Keccak256.hash(content + [0, 0, 0, 0, 0, 0, 0, 7] + [UInt8](repeating: 0, count: 32)))
    }

    @Test("envelope rules refuse empty, long and control-character identifiers and non-integer numbers")
    func rules() {
        var envelope = ingested("ok")
        envelope.id = ""
        #expect(throws: EventRejection.emptyIdentifier(field: "id")) { try CanonicalEvent.content(of: envelope) }
        envelope.id = String(repeating: "x", count: 257)
        #expect(throws: EventRejection.identifierTooLong(field: "id", bytes: 257)) { try CanonicalEvent.content(of: envelope) }
        envelope.id = "a\nb"
        #expect(throws: EventRejection.controlCharacter(field: "id")) { try CanonicalEvent.content(of: envelope) }
        envelope = ingested("ok")
        envelope.keys.session = ""
        #expect(throws: EventRejection.emptyIdentifier(field: "keys.session")) { try CanonicalEvent.content(of: envelope) }
        envelope = ingested("ok")
        envelope.payload = ["seq": .double(1.5)]
        #expect(throws: EventRejection.self) { try CanonicalEvent.content(of: envelope) }
    }

    @Test("corrupt content is a typed decoding error")
    func corruptContent() throws {
        let content = try CanonicalEvent.content(of: ingested("x"))
        for cut in [0, 3, 10, content.count - 1] {
            #expect(throws: EventDecodingError.self) {
                try Array(content.prefix(cut)).withUnsafeBytes { try CanonicalEvent.decode(content: $0) }
            }
        }
        #expect(throws: EventDecodingError.trailingBytes) {
            try (content + [0]).withUnsafeBytes { try CanonicalEvent.decode(content: $0) }
        }
        var badMagic = content
        badMagic[0] = 0x58
        #expect(throws: EventDecodingError.badMagic) { try badMagic.withUnsafeBytes { try CanonicalEvent.decode(content: $0) } }
    }
}
