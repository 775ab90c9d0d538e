import ArgumentParser
import Broadcaster
import Edge
import EthCrypto
import Foundation
import Orchestrator
import Payments
import Transcoding
import Wire

/// `streamflow orchestrator`: serve segments over HTTP (POST /segment, GET /orchestrator-info, renditions).
struct OrchestratorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orchestrator",
        abstract: "Run an orchestrator's HTTP edge: ticket params, paid segments transcoded and signed, renditions served.")

    @Option var host = "127.0.0.1"
    @Option(help: "Port (0 picks a free one; the URL is printed).") var port = 8935
    @Option(help: "Where renditions are written and served from.") var out: String
    @Option(help: "Price in wei per pixel.") var pricePerPixel: UInt64 = 1_000
    @Option(help: "Profiles used when a segment names none.") var profiles = "P240p30fps16x9,P144p30fps16x9"
    @Option(help: "Segments transcoded at once.") var capacity = 4
    @Flag(help: .hidden) var tamperRenditions = false
    @Option(help: "A JSON file of these options (keys are the long names, e.g. \"price-per-pixel\"); options given here win.")
    var config: String?
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        LibavLog.errorsOnly()
        let key = try PrivateKey.generate()
        let node = try Self.node(key: key, out: out, pricePerPixel: pricePerPixel, profiles: profiles, capacity: capacity,
                                 tamper: tamperRenditions)
        let server = EdgeServer(node: node, host: host, port: port, context: { Self.localChain })
        let settings = ["price-per-pixel": "\(pricePerPixel)", "capacity": "\(capacity)", "profiles": profiles, "out": out]
        try await NodeLifecycle.serve(server, settings: settings) { url in
            // Written straight to the file descriptor so a supervisor reading a pipe sees it at once.
            FileHandle.standardOutput.write(Data("orchestrator \(key.address.checksummed) serving at \(url) (SIGTERM or Ctrl-C stops it)\n".utf8))
        }
    }

    /// The chain as a stand-alone orchestrator sees it until it is connected to a settlement chain.
    static let localChain = ValidationContext(currentBlock: 1, currentRound: 1, roundBlockHashes: [1: Keccak256.hash([1])],
                                              gasPrice: UInt256(1_000_000_000))

    static func node(key: PrivateKey, out: String, pricePerPixel: UInt64, profiles: String, capacity: Int,
                     tamper: Bool) throws -> OrchestratorNode {
        let recipient = TicketRecipient(validator: TicketValidator(recipient: key.address, secret: try RecipientSecret.generate()))
        let node = try OrchestratorNode(key: key, recipient: recipient, authSecret: try SecureRandom.bytes(32),
                                        price: try PriceInfo(pricePerUnit: UInt256(pricePerPixel), pixelsPerUnit: .one),
                                        capacity: capacity, outputDirectory: out, profiles: try VideoProfile.parseList(profiles),
                                        publicURL: "")
        node.faults = NodeFaults(tamperRenditions: tamper)
        return node
    }
}
