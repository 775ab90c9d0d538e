public import Foundation
import JSONCore
public import Logging

/// How a log record is written: logfmt (`ts=… level=… msg="…" component=… key=value`) or one JSON object a line.
public enum LogFormat: String, Sendable, CaseIterable {
    case text, json
}

/// One log record rendered as a single line (no trailing newline). Pure: the time is given.
public enum LogLine {
    /// The record's fields in order: ts, level, msg, component, then metadata sorted by key.
    public static func render(format: LogFormat, time: Date, level: Logger.Level, message: String, component: String,
                              metadata: Logger.Metadata) -> String {
        let ts = time.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        switch format {
        case .text:
            var fields = ["ts=\(ts)", "level=\(level.rawValue)", "msg=\(logfmtValue(message))",
                          "component=\(logfmtValue(component))"]
            for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
                fields.append("\(logfmtKey(key))=\(logfmtValue(value.description))")
            }
            return fields.joined(separator: " ")
        case .json:
            var object: [String: JSONValue] = [:]
            for (key, value) in metadata { object[key] = json(value) }
            for (key, value) in ["ts": ts, "level": level.rawValue, "msg": message, "component": component] {
                // A metadata key that collides with a record field is kept under "metadata.KEY".
                if let clash = object[key] { object["metadata.\(key)"] = clash }
                object[key] = .string(value)
            }
            let bytes = (try? CanonicalJSON.encode(.object(object))) ?? Array(#"{"msg":"unencodable log record"}"#.utf8)
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// A logfmt value: bare when it is a plain token, else quoted with `\`, `"` and control characters escaped.
    static func logfmtValue(_ value: String) -> String {
        let plain = !value.isEmpty && value.unicodeScalars.allSatisfy { $0.value > 0x20 && $0 != "=" && $0 != "\"" && $0 != "\\" }
        if plain { return value }
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }

    /// A logfmt key: characters that would break the line become `_`.
    static func logfmtKey(_ key: String) -> String {
        let cleaned = String(key.unicodeScalars.map { $0.value > 0x20 && $0 != "=" && $0 != "\"" ? Character($0) : "_" })
        return cleaned.isEmpty ? "_" : cleaned
    }

    static func json(_ value: Logger.MetadataValue) -> JSONValue {
        switch value {
        case .string(let text): .string(text)
        case .stringConvertible(let convertible): .string(convertible.description)
        case .array(let values): .array(values.map(json))
        case .dictionary(let members): .object(members.mapValues(json))
        }
    }
}
