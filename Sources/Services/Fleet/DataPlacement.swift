import EthCrypto
import Foundation
public import EventModel
public import KafkaBus

/// How segment and rendition bytes travel with fleet messages: in a message header when at most `inlineLimit`
/// bytes, otherwise as a file in the shared store (a directory every node and worker mounts, e.g. NFS or a
/// shared volume), named by the data's keccak256. Either way the event carries the size and hash, and the
/// receiver checks them.
public struct DataPlacement: Sendable {
    public var inlineLimit: Int
    /// The shared store's directory; without one, data over the limit cannot be sent.
    public var storeDirectory: String?

    /// 900 KB inline keeps a message under Kafka's default 1 MB limit with the event beside it.
    public init(inlineLimit: Int = 900_000, storeDirectory: String? = nil) {
        self.inlineLimit = inlineLimit
        self.storeDirectory = storeDirectory
    }

    /// The data reference for an event and the header carrying the bytes (none when they went to the store).
    public func place(_ bytes: [UInt8], header: String) throws(FleetDataError) -> (reference: FleetDataReference, headers: [KafkaHeader]) {
        let hash = Keccak256.hash(bytes).hex
        if bytes.count <= inlineLimit {
            return (FleetDataReference(bytes: Int64(bytes.count), dataHash: hash, inline: true), [KafkaHeader(header, bytes)])
        }
        guard let storeDirectory else {
            throw .tooLarge("\(bytes.count) bytes is over the inline limit \(inlineLimit) and no shared store is configured")
        }
        let name = String(hash.dropFirst(2))
        let path = "\(storeDirectory)/\(name)"
        do {
            try FileManager.default.createDirectory(atPath: storeDirectory, withIntermediateDirectories: true)
            if !FileManager.default.fileExists(atPath: path) {
                try Data(bytes).write(to: URL(fileURLWithPath: path + ".part"))
                try FileManager.default.moveItem(atPath: path + ".part", toPath: path)
            }
        } catch { throw .store("writing \(path): \(error)") }
        return (FleetDataReference(bytes: Int64(bytes.count), dataHash: hash, inline: false, storeName: name), [])
    }

    /// The bytes a reference names, from the message's header or the store, checked against its size and hash.
    public func fetch(_ reference: FleetDataReference, header: String, in message: KafkaMessage) throws(FleetDataError) -> [UInt8] {
        let (size, hash) = (reference.bytes, reference.dataHash)
        let bytes: [UInt8]
        if reference.inline {
            guard let value = message.header(header) else { throw .missing("header \(header) is absent") }
            bytes = value
        } else {
            guard let name = reference.storeName, let storeDirectory else {
                throw .missing("the data is in a shared store this process does not have")
            }
            guard name.allSatisfy(\.isHexDigit), let data = FileManager.default.contents(atPath: "\(storeDirectory)/\(name)") else {
                throw .missing("store file \(name) is absent")
            }
            bytes = Array(data)
        }
        guard bytes.count == size, Keccak256.hash(bytes).hex == hash else {
            throw .mismatch("\(bytes.count) bytes hashing to \(Keccak256.hash(bytes).hex), expected \(size) and \(hash)")
        }
        return bytes
    }
}

/// Why data could not be placed or fetched.
public enum FleetDataError: Error, Equatable, Sendable, CustomStringConvertible {
    case tooLarge(String)
    case store(String)
    case missing(String)
    case mismatch(String)

    public var description: String {
        switch self {
        case .tooLarge(let text): "too large: \(text)"
        case .store(let text): "shared store: \(text)"
        case .missing(let text): "missing data: \(text)"
        case .mismatch(let text): "data mismatch: \(text)"
        }
    }
}
