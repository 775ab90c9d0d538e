import Foundation
import Logging
import Synchronization
import Telemetry
import Testing
import TestSupport

/// The log handler's lines in both formats parse back to the record: JSON with Foundation and Python's json, logfmt
/// with a small parser; the metadata (with spaces, quotes, '=' and newlines) survives.
@Suite("structured logs")
struct LogHandlerTests {
    /// Logs three records through `format` into memory.
    static func lines(_ format: LogFormat) -> [String] {
        let captured = Mutex<[String]>([])
        let output = LogOutput { line in captured.withLock { $0.append(line) } }
        var logger = Logger(label: "edge") { StreamflowLogHandler(component: $0, format: format, level: .info, output: output) }
        logger[metadataKey: "node"] = "0xAbC"
        logger.debug("not written: below the level")
        logger.info("listening", metadata: ["url": "http://127.0.0.1:8935"])
        logger.notice("segment refused", metadata: ["reason": "bad-auth-token", "detail": "say \"hi\" a=b\nnext line", "status": "403"])
        logger.error("disk full", metadata: ["paths": .array(["/a", "/b c"]), "msg": "clash"])
        return captured.withLock { $0 }
    }

    @Test("JSON: one object a line with ts, level, msg, component and the metadata; Python agrees")
    func json() throws {
        let lines = Self.lines(.json)
        #expect(lines.count == 3)
        #expect(lines.allSatisfy { !$0.contains("\n") })
        let objects = try lines.map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(objects.map { $0["level"] as? String } == ["info", "notice", "error"])
        #expect(objects.map { $0["msg"] as? String } == ["listening", "segment refused", "disk full"])
        #expect(objects.allSatisfy { $0["component"] as? String == "edge" && $0["node"] as? String == "0xAbC" })
        #expect(objects[0]["url"] as? String == "http://127.0.0.1:8935")
        #expect(objects[1]["detail"] as? String == "say \"hi\" a=b\nnext line")
        #expect(objects[2]["paths"] as? [String] == ["/a", "/b c"])
        #expect(objects[2]["metadata.msg"] as? String == "clash", "a colliding metadata key is kept aside, not lost")
        let ts = try #require(objects[0]["ts"] as? String)
        #expect(try Date(ts, strategy: .iso8601) <= Date())
        let python = try PythonOracle.run(script: """
            import sys, json
            print(json.dumps([json.loads(line)["detail"] for line in sys.stdin if "detail" in json.loads(line)]))
            """, input: Data(lines.joined(separator: "\n").utf8))
        #expect(try JSONSerialization.jsonObject(with: python) as? [String] == ["say \"hi\" a=b\nnext line"])
    }

    @Test("logfmt: ts level msg component first, then sorted metadata; quoted values round-trip")
    func logfmt() throws {
        let lines = Self.lines(.text)
        #expect(lines.count == 3)
        let records = try lines.map(Self.parseLogfmt)
        #expect(records.map { $0.map(\.0).prefix(4) } == Array(repeating: ["ts", "level", "msg", "component"], count: 3))
        #expect(records[1].first { $0.0 == "detail" }?.1 == "say \"hi\" a=b\nnext line")
        #expect(records[1].first { $0.0 == "reason" }?.1 == "bad-auth-token")
        #expect(records[1].first { $0.0 == "msg" }?.1 == "segment refused")
        #expect(lines[1].contains(" reason=bad-auth-token "), "plain tokens stay bare")
        #expect(records[0].map(\.0).dropFirst(4) == ["node", "url"], "metadata sorted by key")
        #expect(records.allSatisfy { $0.first { $0.0 == "component" }?.1 == "edge" })
    }

    /// A logfmt reader: key=value pairs, values bare or double-quoted with \" \\ \n escapes.
    static func parseLogfmt(_ line: String) throws -> [(String, String)] {
        struct Bad: Error {}
        var pairs: [(String, String)] = []
        var chars = Substring(line)
        while !chars.isEmpty {
            chars = chars.drop { $0 == " " }
            let key = chars.prefix { $0 != "=" }
            guard !key.isEmpty, chars.dropFirst(key.count).first == "=" else { throw Bad() }
            chars = chars.dropFirst(key.count + 1)
            var value = ""
            if chars.first == "\"" {
                chars = chars.dropFirst()
                while let c = chars.first, c != "\"" {
                    chars = chars.dropFirst()
                    if c == "\\", let next = chars.first {
                        chars = chars.dropFirst()
                        value.append(next == "n" ? "\n" : next == "t" ? "\t" : next == "r" ? "\r" : next)
                    } else {
                        value.append(c)
                    }
                }
                guard chars.first == "\"" else { throw Bad() }
                chars = chars.dropFirst()
            } else {
                value = String(chars.prefix { $0 != " " })
                chars = chars.dropFirst(value.count)
            }
            pairs.append((String(key), value))
        }
        return pairs
    }
}
