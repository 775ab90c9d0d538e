import Foundation
public import JSONCore

/// A command's config file (`--config FILE`, a JSON object whose keys are the command's long flag names) turned into
/// command-line arguments placed before the real ones; an option given on the command line wins over the file.
public enum ConfigFile {
    /// `arguments` (without the program name) with the file named by `--config` expanded, when the subcommand (the
    /// first argument) has a schema; otherwise unchanged.
    public static func expand(_ arguments: [String], schemas: [ConfigSchema]) throws(ConfigError) -> [String] {
        guard let command = arguments.first, let schema = schemas.first(where: { $0.command == command }),
              let path = try configPath(in: arguments) else { return arguments }
        let bytes: Data
        do { bytes = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .unreadable(path: path, reason: "cannot be read (\(error.localizedDescription))")
        }
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch { throw .unreadable(path: path, reason: "not JSON: \(error)") }
        let given = Set(arguments.dropFirst().compactMap(optionName))
        let fromFile = try Self.arguments(from: value, schema: schema, path: path).filter { argument in
            optionName(argument).map { !given.contains($0) } ?? true
        }
        return [command] + fromFile + arguments.dropFirst()
    }

    /// The arguments a parsed config object stands for, in key order; every key checked against `schema`.
    public static func arguments(from value: JSONValue, schema: ConfigSchema, path: String) throws(ConfigError) -> [String] {
        guard let members = value.objectValue else { throw .notAnObject(path: path) }
        var result: [String] = []
        for (key, member) in members.sorted(by: { $0.key < $1.key }) {
            guard let kind = schema.keys[key] else {
                throw .unknownKey(path: path, key: key, known: schema.keys.keys.sorted())
            }
            let wrong = ConfigError.wrongType(path: path, key: key, expected: kind, got: describe(member))
            switch (kind, member) {
            case (.integer, .integer(let number)), (.number, .integer(let number)): result.append("--\(key)=\(number)")
            case (.number, .double(let number)): result.append("--\(key)=\(number)")
            case (.string, .string(let text)), (.list, .string(let text)): result.append("--\(key)=\(text)")
            case (.list, .array(let items)):
                var texts: [String] = []
                for item in items {
                    guard let text = item.stringValue else { throw wrong }
                    texts.append(text)
                }
                result.append("--\(key)=\(texts.joined(separator: ","))")
            case (.flag, .bool(let on)): if on { result.append("--\(key)") }
            default: throw wrong
            }
        }
        return result
    }

    /// The value after `--config` (or in `--config=FILE`), if any.
    static func configPath(in arguments: [String]) throws(ConfigError) -> String? {
        for (index, argument) in arguments.enumerated() {
            if argument.hasPrefix("--config=") { return String(argument.dropFirst("--config=".count)) }
            if argument == "--config" {
                guard index + 1 < arguments.count, !arguments[index + 1].hasPrefix("--") else { throw .missingPath }
                return arguments[index + 1]
            }
        }
        return nil
    }

    /// "port" for "--port" or "--port=1"; nil for anything that is not a long option.
    static func optionName(_ argument: String) -> String? {
        guard argument.hasPrefix("--"), argument.count > 2 else { return nil }
        return String(argument.dropFirst(2).prefix { $0 != "=" })
    }

    /// A value's JSON type and text, for error messages.
    static func describe(_ value: JSONValue) -> String {
        let type = switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .integer: "an integer"
        case .double: "a decimal number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
        return "\(type) \(String(value.description.prefix(60)))"
    }
}
