import Foundation
import Testing
@testable import EthCrypto
import TestSupport

/// Cross-checks against eth-account / eth-hash in the project virtualenv (implementations no one here wrote).
@Suite("cross-check with eth-account")
struct CrossCheckTests {
    struct SignedCase: Codable {
        var key: String
        var message: String
        var signature: String
        var address: String
    }

    @Test("1,000 Swift signatures recover to the same address in eth-account")
    func swiftSignsPythonRecovers() throws {
        var cases: [SignedCase] = []
        for index in 0..<1_000 {
            let key = try PrivateKey.generate()
            let message = try SecureRandom.bytes(index % 97)
            let signature = try key.signMessage(message)
            cases.append(.init(key: Hex.encode(key.exportSecret()), message: Hex.encode(message),
                               signature: signature.hex, address: key.address.checksummed))
        }
        let script = """
            import sys, json
            from eth_account import Account
            from eth_account.messages import encode_defunct
            out = []
            for c in json.load(sys.stdin):
                msg = encode_defunct(primitive=bytes.fromhex(c["message"][2:]))
                recovered = Account.recover_message(msg, signature=bytes.fromhex(c["signature"][2:]))
                derived = Account.from_key(bytes.fromhex(c["key"][2:])).address
                resigned = Account.sign_message(msg, private_key=bytes.fromhex(c["key"][2:])).signature.hex()
                out.append([recovered, derived, "0x" + resigned.removeprefix("0x")])
            json.dump(out, sys.stdout)
            """
        let results = try PythonOracle.json(script: script, input: cases, as: [[String]].self)
        #expect(results.count == cases.count)
        for (expected, result) in zip(cases, results) {
            #expect(result[0] == expected.address, "recovered signer")
            #expect(result[1] == expected.address, "address derivation")
            #expect(result[2] == expected.signature, "RFC 6979 signatures are byte-identical")
        }
    }

    @Test("1,000 eth-account signatures recover to the same address here")
    func pythonSignsSwiftRecovers() throws {
        let script = """
            import sys, json, os
            from eth_account import Account
            from eth_account.messages import encode_defunct
            out = []
            for i in range(1000):
                acct = Account.create()
                m = os.urandom(i % 97)
                s = Account.sign_message(encode_defunct(primitive=m), private_key=acct.key).signature.hex()
                out.append({"key": "0x" + acct.key.hex().removeprefix("0x"), "message": "0x" + m.hex(),
                            "signature": "0x" + s.removeprefix("0x"), "address": acct.address})
            json.dump(out, sys.stdout)
            """
        let cases = try PythonOracle.json(script: script, input: [String](), as: [SignedCase].self)
        #expect(cases.count == 1_000)
        for item in cases {
            let signature = try Signature(hex: item.signature)
            #expect(try signature.recoverSigner(message: Hex.decode(item.message)).checksummed == item.address)
            #expect(try PrivateKey(hex: item.key).address.checksummed == item.address)
        }
    }

    @Test("keccak256 agrees with eth-hash on 500 random inputs of 0–2,000 bytes")
    func keccakAgrees() throws {
        let inputs = try (0..<500).map { index in Hex.encode(try SecureRandom.bytes(index * 4 % 2_001)) }
        let script = """
            import sys, json
            from eth_hash.auto import keccak
            json.dump(["0x" + keccak(bytes.fromhex(h[2:])).hex() for h in json.load(sys.stdin)], sys.stdout)
            """
        let digests = try PythonOracle.json(script: script, input: inputs, as: [String].self)
        for (input, digest) in zip(inputs, digests) {
            #expect(try Keccak256.hash(Hex.decode(input)).hex == digest)
        }
        // The batch path (eight messages per AVX-512 permutation where the CPU has it), with more
        // input absorbed afterwards as the log's writer does.
        let messages = try inputs.map { try Hex.decode($0) }
        let batched = Keccak256.absorbing(messages).map { $0.finalize().hex }
        #expect(batched == digests)
        let extended = try PythonOracle.json(script: script, input: inputs.map { $0 + "0102030405" }, as: [String].self)
        let continued = Keccak256.absorbing(messages).map { sponge in
            var copy = sponge
            copy.update([1, 2, 3, 4, 5] as [UInt8])
            return copy.finalize().hex
        }
        #expect(continued == extended)
    }

    @Test("EIP-55 checksums agree with eth-utils on 300 random addresses")
    func checksumsAgree() throws {
        let addresses = try (0..<300).map { _ in try Address(bytes: SecureRandom.bytes(20)) }
        let script = """
            import sys, json
            from eth_utils import to_checksum_address
            json.dump([to_checksum_address(a) for a in json.load(sys.stdin)], sys.stdout)
            """
        let checksummed = try PythonOracle.json(script: script, input: addresses.map(\.lowercased), as: [String].self)
        #expect(checksummed == addresses.map(\.checksummed))
    }

    struct KeystoreCase: Codable {
        var json: String
        var password: String
        var key: String
    }

    @Test("keystores written here open in eth-account (scrypt and pbkdf2)")
    func swiftKeystoreOpensInPython() throws {
        var cases: [KeystoreCase] = []
        for (index, kdf) in [Keystore.KDF.light, .scrypt(n: 1024, r: 8, p: 1), .pbkdf2(iterations: 1000)].enumerated() {
            let key = try PrivateKey.generate()
            let password = "pässwörd \(index) 🔑"
            cases.append(.init(json: try Keystore.encrypt(key, password: password, kdf: kdf), password: password,
                               key: Hex.encode(key.exportSecret())))
        }
        let script = """
            import sys, json
            from eth_account import Account
            json.dump(["0x" + Account.decrypt(json.loads(c["json"]), c["password"]).hex().removeprefix("0x")
                       for c in json.load(sys.stdin)], sys.stdout)
            """
        let keys = try PythonOracle.json(script: script, input: cases, as: [String].self)
        #expect(keys == cases.map(\.key))
    }

    @Test("keystores written by eth-account open here; a wrong password does not")
    func pythonKeystoreOpensHere() throws {
        let script = """
            import sys, json
            from eth_account import Account
            out = []
            for i, (kdf, work) in enumerate([("scrypt", 1024), ("scrypt", 4096), ("pbkdf2", 1000)]):
                acct = Account.create()
                pw = "secret %d ü" % i
                ks = Account.encrypt(acct.key, pw, kdf=kdf, iterations=work)
                out.append({"json": json.dumps(ks), "password": pw, "key": "0x" + acct.key.hex().removeprefix("0x")})
            json.dump(out, sys.stdout)
            """
        let cases = try PythonOracle.json(script: script, input: [String](), as: [KeystoreCase].self)
        #expect(cases.count == 3)
        for item in cases {
            let key = try Keystore.decrypt(json: item.json, password: item.password)
            #expect(Hex.encode(key.exportSecret()) == item.key)
            #expect(throws: KeystoreError.wrongPassword) { try Keystore.decrypt(json: item.json, password: item.password + "x") }
        }
    }
}
