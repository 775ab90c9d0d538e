
import Foundation
public import Payments
public import EthCrypto

/// The secrets a node keeps across restarts, each in a file of its own under the node's directory, readable by its
/// owner only (0600) and never printed: the recipient secret (so the recipientRands of tickets issued before a
/// restart stay derivable) and the auth-token secret (so tokens handed out before a restart stay valid).
public struct NodeSecrets: Sendable {
    public let recipient: RecipientSecret
    public let auth: [UInt8]

    /// Fresh secrets kept in memory only (a node on a shared log).
    public static func ephemeral() throws -> NodeSecrets {
        NodeSecrets(recipient: try RecipientSecret.generate(), auth: try SecureRandom.bytes(32))
    }

    /// Reads the secrets from `directory`, creating any that is missing (written atomically, 0600). A file others can
    /// read, or one of the wrong size, is refused with `NodeSecretError`.
    public static func load(directory: String) throws -> NodeSecrets {
        NodeSecrets(recipient: RecipientSecret(key: try Self.secret(at: directory + "/recipient-secret")),
                    auth: try Self.secret(at: directory + "/auth-secret"))
    }

    private init(recipient: RecipientSecret, auth: [UInt8]) {
        self.recipient = recipient
        self.auth = auth
    }

    static let size = 32

    private static func secret(at path: String) throws -> [UInt8] {
        let files = FileManager.default
        if files.fileExists(atPath: path) {
            let attributes = try files.attributesOfItem(atPath: path)
            let mode = (attributes[.posixPermissions] as? NSNumber)?.uint16Value ?? 0
            guard mode & 0o077 == 0 else { throw NodeSecretError.readableByOthers(path: path, mode: mode) }
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            guard bytes.count == size else { throw NodeSecretError.wrongSize(path: path, bytes: bytes.count) }
            return bytes
        }
        let bytes = try SecureRandom.bytes(size)
        let temporary = path + ".new"
        files.createFile(atPath: temporary, contents: Data(bytes), attributes: [.posixPermissions: 0o600])
        guard files.fileExists(atPath: temporary) else { throw NodeSecretError.cannotWrite(path: path) }
        try files.moveItem(atPath: temporary, toPath: path)
        return bytes
    }
}

/// Why a node's secret file was refused.
public enum NodeSecretError: Error, Equatable, Sendable, CustomStringConvertible {
    case readableByOthers(path: String, mode: UInt16)
    case wrongSize(path: String, bytes: Int)
    case cannotWrite(path: String)

    public var description: String {
        switch self {
        case .readableByOthers(let path, let mode):
            "\(path) is readable by others (mode \(String(mode, radix: 8))): chmod 600 it, or remove it to start with a new secret"
        case .wrongSize(let path, let bytes): "\(path) holds \(bytes) bytes, not \(NodeSecrets.size): it is not a node secret"
        case .cannotWrite(let path): "cannot write \(path)"
        }
    }
}

extension NodeSecrets {
    /// The node's own key when no keystore is given: DIR/node-key (32 bytes, 0600), made at first start, so the node
    /// keeps its address — and its broadcasters' credit — across restarts. A keystore is the way for a registered
    /// orchestrator; this file is for development nodes.
    public static func nodeKey(directory: String) throws -> PrivateKey {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return try PrivateKey(bytes: try secret(at: directory + "/node-key"))
    }
}
