/// The JSON layout of a Web3 Secret Storage (keystore v3) file, as geth and eth-account write it.
struct KeystoreFile: Codable {
    struct CipherParams: Codable { var iv: String }

    /// The union of scrypt's (n, r, p) and PBKDF2's (c, prf) parameters.
    struct KDFParams: Codable {
        var dklen: Int
        var salt: String
        var n: UInt64?
        var r: UInt64?
        var p: UInt64?
        var c: Int?
        var prf: String?
    }

    struct Crypto: Codable {
        var cipher: String
        var cipherparams: CipherParams
        var ciphertext: String
        var kdf: String
        var kdfparams: KDFParams
        var mac: String
    }

    var address: String?
    var crypto: Crypto
    var id: String?
    var version: Int

    private enum CodingKeys: String, CodingKey { case address, crypto, Crypto, id, version }

    init(address: String?, crypto: Crypto, id: String?, version: Int) {
        self.address = address
        self.crypto = crypto
        self.id = id
        self.version = version
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        address = try container.decodeIfPresent(String.self, forKey: .address)
        id = try container.decodeIfPresent(String.self, forKey: .id)
        version = try container.decode(Int.self, forKey: .version)
        // Old geth files spell the section "Crypto".
        if let lower = try container.decodeIfPresent(Crypto.self, forKey: .crypto) {
            crypto = lower
        } else {
            crypto = try container.decode(Crypto.self, forKey: .Crypto)
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(address, forKey: .address)
        try container.encode(crypto, forKey: .crypto)
        try container.encodeIfPresent(id, forKey: .id)
        try container.encode(version, forKey: .version)
    }
}
