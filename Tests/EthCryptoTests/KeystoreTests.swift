import Foundation
import Testing
@testable import EthCrypto

@Suite("keystore v3")
struct KeystoreTests {
    static let key = try! PrivateKey(hex: "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
    static let json = try! Keystore.encrypt(key, password: "pw", kdf: .scrypt(n: 1024, r: 8, p: 1))

    /// The keystore JSON with one edit applied to its parsed object.
    static func edited(_ edit: (inout [String: Any]) -> Void) -> String {
        var object = try! JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        edit(&object)
        return String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    static func editCrypto(_ edit: @escaping (inout [String: Any]) -> Void) -> String {
        edited { object in
            var crypto = object["crypto"] as! [String: Any]
            edit(&crypto)
            object["crypto"] = crypto
        }
    }

    @Test("round trip keeps the key and declares its address")
    func roundTrip() throws {
        let reopened = try Keystore.decrypt(json: Self.json, password: "pw")
        #expect(reopened.exportSecret() == Self.key.exportSecret())
        #expect(try Keystore.storedAddress(json: Self.json) == Self.key.address)
    }

    @Test("wrong password")
    func wrongPassword() {
        #expect(throws: KeystoreError.wrongPassword) { try Keystore.decrypt(json: Self.json, password: "nope") }
    }

    @Test("corrupt and unsupported files give a typed reason")
    func corruptFiles() {
        let cases: [(String, KeystoreError)] = [
            ("", .malformed("not valid JSON")),
            ("{", .malformed("not valid JSON")),
            ("[]", .malformed("wrong type at ")),
            (Self.edited { $0["version"] = 2 }, .unsupportedVersion(2)),
            (Self.edited { $0.removeValue(forKey: "crypto") }, .malformed("missing field Crypto")),
            (Self.editCrypto { $0["cipher"] = "aes-256-gcm" }, .unsupportedCipher("aes-256-gcm")),
            (Self.editCrypto { $0["kdf"] = "argon2" }, .unsupportedKDF("argon2")),
            (Self.editCrypto { $0["mac"] = "zz" }, .malformed("mac: invalid hex: character at offset 0 is not a hex digit")),
            (Self.editCrypto { $0["ciphertext"] = "00" }, .malformed("ciphertext must be 32 bytes, got 1")),
            (Self.editCrypto { $0["kdfparams"] = ["dklen": 32, "salt": "00", "n": 1000, "r": 8, "p": 1] },
             .invalidKDFParameters("scrypt n must be a power of two > 1, got 1000")),
            (Self.editCrypto { $0["kdfparams"] = ["dklen": 32, "salt": "00", "n": 1 << 40, "r": 8, "p": 1] },
             .invalidKDFParameters("scrypt n=1099511627776 r=8 p=1 needs more than 2048 MiB")),
            (Self.editCrypto { $0["kdfparams"] = ["dklen": 16, "salt": "00", "n": 1024, "r": 8, "p": 1] },
             .invalidKDFParameters("dklen must be 32, got 16")),
            (Self.editCrypto { $0["kdf"] = "pbkdf2"; $0["kdfparams"] = ["dklen": 32, "salt": "00", "c": 10, "prf": "hmac-md5"] },
             .invalidKDFParameters("pbkdf2 prf must be hmac-sha256, got hmac-md5")),
            (Self.edited { $0["address"] = "5aaeb6053f3e94c9b9a09f33669435e7ef1beaed" },
             .addressMismatch(stored: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
                              derived: "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23")),
        ]
        for (json, expected) in cases {
            #expect(throws: expected) { try Keystore.decrypt(json: json, password: "pw") }
        }
    }

    @Test("a flipped ciphertext byte fails the MAC")
    func tamperedCiphertext() throws {
        let tampered = Self.editCrypto { crypto in
            var text = crypto["ciphertext"] as! String
            let first = text.removeFirst()
            text.insert(first == "0" ? "1" : "0", at: text.startIndex)
            crypto["ciphertext"] = text
        }
        #expect(throws: KeystoreError.wrongPassword) { try Keystore.decrypt(json: tampered, password: "pw") }
    }
}
