import Foundation
import Testing
@testable import EthCrypto

@Suite("addresses and EIP-55")
struct AddressTests {
    @Test("EIP-55's own examples round-trip", arguments: [
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
        "0x52908400098527886E0F7030069857D2E4169EE7", "0xde709f2102306220921060314715629080e2fb77",
    ])
    func eip55(text: String) throws {
        let address = try Address(text)
        #expect(address.checksummed == text)
        #expect(try Address(text.lowercased()) == address)
        #expect(try Address("0x" + text.dropFirst(2).uppercased()) == address)
    }

    @Test("a wrong mixed-case checksum and malformed text are refused")
    func badAddresses() {
        #expect(throws: EthCryptoError.badChecksum("0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")) {
            try Address("0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
        }
        #expect(throws: EthCryptoError.invalidLength(what: "address", expected: 20, actual: 19)) {
            try Address("0x5aaeb6053f3e94c9b9a09f33669435e7ef1bea")
        }
        #expect(throws: EthCryptoError.invalidAddress("0xnothex is not hex")) { try Address("0xnothex") }
    }

    @Test("Codable uses the checksummed form and refuses a bad one")
    func codable() throws {
        let address = try Address("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
        let data = try JSONEncoder().encode([address])
        #expect(String(decoding: data, as: UTF8.self) == "[\"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed\"]")
        #expect(try JSONDecoder().decode([Address].self, from: data) == [address])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([Address].self, from: Data("[\"0x12\"]".utf8)) }
    }
}
