/// The JSON type a config key must have, and how its value becomes command-line arguments.
public enum ConfigValueKind: String, Sendable, Hashable {
    /// A JSON integer: `--key=N`.
    case integer
    /// A JSON integer or decimal: `--key=X`.
    case number
    /// A JSON string: `--key=TEXT`.
    case string
    /// A JSON string, or an array of strings joined with commas: `--key=A,B`.
    case list
    /// A JSON boolean: `--key` when true, nothing when false.
    case flag
}

/// The keys one command accepts in its config file — its long flag names, without `--` — and their kinds.
public struct ConfigSchema: Sendable {
    public let command: String
    public let keys: [String: ConfigValueKind]

    public init(command: String, keys: [String: ConfigValueKind]) {
        self.command = command
        self.keys = keys
    }
}

/// Why a config file was refused; each names the file and, where there is one, the key.
public enum ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    case missingPath
    case unreadable(path: String, reason: String)
    case notAnObject(path: String)
    case unknownKey(path: String, key: String, known: [String])
    case wrongType(path: String, key: String, expected: ConfigValueKind, got: String)

    public var description: String {
        switch self {
        case .missingPath: "--config needs a file path"
        case .unreadable(let path, let reason): "config file \(path): \(reason)"
        case .notAnObject(let path): "config file \(path): the top level must be a JSON object of option names to values"
        case .unknownKey(let path, let key, let known):
            "config file \(path): unknown key \"\(key)\" (known keys: \(known.joined(separator: ", ")))"
        case .wrongType(let path, let key, let expected, let got):
            "config file \(path): key \"\(key)\" must be \(Self.article(expected)), got \(got)"
        }
    }

    private static func article(_ kind: ConfigValueKind) -> String {
        switch kind {
        case .integer: "an integer"
        case .number: "a number"
        case .string: "a string"
        case .list: "a string or an array of strings"
        case .flag: "a boolean"
        }
    }
}
