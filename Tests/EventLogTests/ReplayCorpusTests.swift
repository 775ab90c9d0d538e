import Audit
import EventLog
import Projections
import Foundation
import JSONCore
import Scenarios
import Testing
import TestSupport

/// Replay/reference: the recorded scenario must still import, verify and fold to its expected summary.
@Suite("Replay/ reference scenario")
struct ReplayCorpusTests {
    static let corpus = PythonOracle.packageRoot.appendingPathComponent("Replay/reference")

    @Test("the committed export imports, verifies, and rebuilds to the committed summary")
    func replayReference() throws {
        let directory = TemporaryDirectory()
        let export = try Data(contentsOf: Self.corpus.appendingPathComponent("events.jsonl"))
        let report = try LogImporter.importLines(Array(export), into: directory.sub("log"))
        let log = try openLog(directory.sub("log"))
        #expect(try LogVerifier.verify(log).passed)
        #expect(report.signatures > 40)
        try ProjectionHost(log: log).catchUp()
        let expected = try String(contentsOf: Self.corpus.appendingPathComponent("expected-summary.json"), encoding: .utf8)
        #expect(try ProjectionSummary.json(log: log) == expected)
    }

    @Test("the scenario generator still produces the committed export byte for byte")
    func generatorIsDeterministic() async throws {
        let directory = TemporaryDirectory()
        let log = try await scenarioLog(directory.path)
        var export: [UInt8] = []
        try LogExporter.export(log) { export += $0 }
        let committed = try Data(contentsOf: Self.corpus.appendingPathComponent("events.jsonl"))
        #expect(export == Array(committed), "regenerate with `streamflow replay record-reference Replay/reference`")
    }
}
