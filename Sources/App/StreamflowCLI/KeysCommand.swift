import ArgumentParser
import EthCrypto
import Foundation

/// `streamflow keys new|show`: create and inspect Ethereum keystore v3 files.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Create and inspect Ethereum keystore files.",
        subcommands: [New.self, Import.self, Show.self])

    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key in a new keystore v3 file in DIR.")

        @OptionGroup var output: KeystoreOutput

        func run() throws {
            try output.write(try PrivateKey.generate())
        }

        /// geth's naming: UTC--<ISO 8601 time with dashes>--<lower-case address without 0x>.
        static func fileName(for address: Address) -> String {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            let time = formatter.string(from: Date()).replacingOccurrences(of: ":", with: "-")
            return "UTC--\(time)--\(address.lowercased.dropFirst(2))"
        }
    }

    /// `keys import`: an existing private key (e.g. a dev chain's funded account) into a new keystore file.
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put an existing private key (hex, read from a file, never from the command line) into a new keystore v3 file in DIR.")

        @Option(help: "File whose first line is the private key as hex (0x optional).")
        var privateKeyFile: String
        @OptionGroup var output: KeystoreOutput

        func run() throws {
            guard let data = FileManager.default.contents(atPath: privateKeyFile) else { throw CLIError("cannot read \(privateKeyFile)") }
            let text = String(decoding: data, as: UTF8.self).split(separator: "\n").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            let key: PrivateKey
            do { key = try PrivateKey(hex: text) } catch { throw CLIError("\(privateKeyFile): not a private key: \(error)") }
            try output.write(key)
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a keystore's address; with a password, also check that it opens.")

        @Argument(help: "The keystore file.")
        var file: String
        @OptionGroup var password: PasswordOptions

        func run() throws {
            let json = try readText(file)
            if let address = try Keystore.storedAddress(json: json) {
                print("address: \(address.checksummed)")
            } else {
                print("address: (not stored in the file)")
            }
            if password.isGiven {
                let key = try Keystore.decrypt(json: json, password: try password.password())
                print("opens: yes (key address \(key.address.checksummed))")
            }
        }
    }
}

/// Reads a whole text file or throws a one-line error naming it.
func readText(_ path: String) throws -> String {
    guard let handle = FileHandle(forReadingAtPath: path) else { throw CLIError("cannot read \(path)") }
    defer { try? handle.close() }
    guard let data = try handle.readToEnd() else { return "" }
    return String(decoding: data, as: UTF8.self)
}

/// Where `keys new` and `keys import` put a key: a new keystore v3 file (geth's name, 0600) in a directory (0700).
struct KeystoreOutput: ParsableArguments {
    @Option(help: "Directory to write the keystore file into (created if missing).")
    var keystore: String
    @OptionGroup var password: PasswordOptions
    @Flag(help: "Use geth's light scrypt parameters (N=4096, p=6) instead of the standard N=262144.")
    var light = false
    @Flag(help: "Accept an empty password (the key is then protected by file permissions only).")
    var allowEmptyPassword = false

    /// Encrypts `key` with the password (asked twice at a terminal) and writes it; prints its address and file.
    func write(_ key: PrivateKey) throws {
        let secret = try password.password(confirm: true)
        guard !secret.isEmpty || allowEmptyPassword else {
            throw CLIError("the password is empty: give one, or --allow-empty-password to keep the key unencrypted in effect")
        }
        let json = try Keystore.encrypt(key, password: secret, kdf: light ? .light : .standard)
        // Only the owner may list or enter a keystore directory the command creates (as geth's 0700).
        try FileManager.default.createDirectory(atPath: keystore, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let path = URL(fileURLWithPath: keystore).appendingPathComponent(KeysCommand.New.fileName(for: key.address)).path
        guard FileManager.default.createFile(atPath: path, contents: Data(json.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CLIError("cannot write \(path)")
        }
        print("address: \(key.address.checksummed)")
        print("file: \(path)")
    }
}
