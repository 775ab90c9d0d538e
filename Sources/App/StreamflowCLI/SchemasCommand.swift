import ArgumentParser
import EventSchemas
import Foundation

/// `streamflow schemas write|check DIR`: the JSON Schema files of every event type (Schemas/).
struct SchemasCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schemas", abstract: "Write or check the event JSON Schemas (Schemas/).",
        subcommands: [Write.self, Check.self])

    struct Write: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write every schema file into DIR.")
        @Argument(help: "Directory (usually Schemas).") var directory = "Schemas"

        func run() throws {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            for file in SchemaFiles.all() {
                try Data(file.text.utf8).write(to: URL(fileURLWithPath: directory).appendingPathComponent(file.name))
            }
            print("wrote \(SchemaFiles.all().count) schema files to \(directory)")
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Exit 1 if DIR's schema files differ from the catalog.")
        @Argument(help: "Directory (usually Schemas).") var directory = "Schemas"

        func run() throws {
            var stale: [String] = []
            for file in SchemaFiles.all() {
                let path = URL(fileURLWithPath: directory).appendingPathComponent(file.name).path
                if (try? String(contentsOfFile: path, encoding: .utf8)) != file.text { stale.append(file.name) }
            }
            guard stale.isEmpty else { throw CLIError("stale or missing: \(stale.joined(separator: ", "))") }
            print("\(SchemaFiles.all().count) schema files are current")
        }
    }
}
