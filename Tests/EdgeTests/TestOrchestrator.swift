import Drills
import Edge
import EthCrypto
import Orchestrator
import Payments
import Transcoding
import WireRPC

/// An orchestrator on loopback for tests: a node, its HTTP edge and its gRPC endpoint, both over TLS with a fresh
/// self-signed certificate (or plaintext), and remote transcoders accepted when a hub is given.
struct TestOrchestrator {
    static let chain = ValidationContext(currentBlock: 10, currentRound: 1, roundBlockHashes: [1: Keccak256.hash([1])],
                                         gasPrice: UInt256(1_000_000_000))
    static let authSecret = Array("test orchestrator".utf8)

    let key: PrivateKey
    let node: OrchestratorNode
    let tls: TLSIdentity?
    let edge: EdgeServer
    let rpc: RPCServer

    init(directory: String, tls: Bool = true, tamper: Bool = false, hub: RemoteTranscoderHub? = nil,
         now: @escaping @Sendable () -> Int64 = EdgeServer.wallClock, offchain: Bool = false) throws {
        key = try PrivateKey.generate()
        let recipient = TicketRecipient(validator: TicketValidator(recipient: key.address, secret: try RecipientSecret.generate()))
        node = try OrchestratorNode(key: key, recipient: recipient, authSecret: Self.authSecret,
                                    price: try PriceInfo(pricePerUnit: UInt256(1_000), pixelsPerUnit: .one), capacity: 4,
                                    outputDirectory: directory, profiles: try VideoProfile.parseList("P144p30fps16x9"), publicURL: "",
                                    offchain: offchain,
                                    signer: tamper ? FaultySigner(faults: NodeFaults(tamperRenditions: true)) : HonestResultSigner())
        self.tls = tls ? try TLSIdentity.selfSigned(hosts: ["127.0.0.1", "localhost"]) : nil
        edge = EdgeServer(node: node, context: { Self.chain }, now: now, tls: self.tls, hub: hub)
        rpc = RPCServer(source: OrchestratorInfoSource(node: node, context: { Self.chain }, now: now), hub: hub, tls: self.tls)
    }

    /// Starts both; returns the gRPC address (what broadcasters and transcoders name) and the edge's URL.
    func start() async throws -> (rpc: NodeAddress, edge: String) {
        let edgeURL = try await edge.start()
        return (try await rpc.start(), edgeURL)
    }

    func stop() {
        edge.stop()
        rpc.stop()
    }
}
