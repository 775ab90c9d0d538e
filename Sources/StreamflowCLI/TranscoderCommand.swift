import ArgumentParser
import Foundation
import Transcoding
import TranscoderAgent
import WireRPC

/// `streamflow transcoder`: a remote transcoder for an orchestrator (go-livepeer's -transcoder mode).
struct TranscoderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transcoder",
        abstract: "Register with an orchestrator over gRPC and transcode the segments it sends; reconnects when it goes away.")

    @Option(help: "The orchestrator's gRPC address: host:port (TLS), https://host:port or http://host:port (plaintext).")
    var orchestrator: String
    @Option(help: "The orchestrator's --transcoder-secret.") var secret: String
    @Option(help: "Segments transcoded at once.") var capacity = 1
    @Option(help: "Where sources and renditions are kept while a segment is transcoded.") var work: String?

    func run() async throws {
        LibavLog.errorsOnly()
        let address = try NodeAddress(orchestrator)
        let directory = work ?? FileManager.default.temporaryDirectory.appendingPathComponent("streamflow-transcoder-\(getpid())").path
        let agent = TranscoderAgent(orchestrator: address, secret: secret, capacity: capacity, workDirectory: directory) { line in
            FileHandle.standardOutput.write(Data("\(line)\n".utf8))
        }
        do {
            try await agent.run()
        } catch {
            throw CLIError(error.description)
        }
    }
}
