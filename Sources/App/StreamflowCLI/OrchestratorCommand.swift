import ArgumentParser
import Broadcaster
import Edge
import EthCrypto
import Foundation
import Drills
import Orchestrator
import Payments
import Transcoding
import StreamflowNode
import Wire

/// `streamflow orchestrator`: go-livepeer's gRPC Orchestrator service (GetOrchestrator, Ping,
/// EndTranscodingSession; Transcoder.RegisterTranscoder with --transcoder-secret) and the HTTP edge (POST /segment,
/// renditions, remote transcoders' sources and results), both over TLS unless --no-tls.
struct OrchestratorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orchestrator",
        abstract: "Run an orchestrator: gRPC GetOrchestrator and remote transcoders, HTTP(S) edge for paid segments.")

    @Option var host = "127.0.0.1"
    @Option(help: "The port broadcasters and transcoders name: gRPC and HTTP together over TLS (0 picks a free one; printed).")
    var port = 8935
    @Option(help: "With --no-tls only: the HTTP edge port (default: --port + 1, or a free one when --port is 0).") var httpPort: Int?
    @Option(help: "Over TLS: a second, gRPC-only port beside --port.") var grpcPort: Int?
    @Flag(help: "go-livepeer's -network offchain: no ticket params, payments or signatures (never the default).")
    var offchain = false
    @Option(help: "Where renditions are written and served from.") var out: String
    @Option(help: "The node's directory: its log (DIR/log), projections and secrets (default: OUT/.streamflow). A restarted node continues from it.")
    var data: String?
    @Option(help: "The orchestrator's key (keystore v3). Default: DIR/node-key, made at first start.") var keystore: String?
    @OptionGroup var password: PasswordOptions
    @OptionGroup var settlement: SettlementOptions
    @Option(help: "Price in wei per pixel.") var pricePerPixel: UInt64 = 1_000
    @Option(help: "Profiles used when a segment names none.") var profiles = "P240p30fps16x9,P144p30fps16x9"
    @Option(help: "Segments transcoded at once.") var capacity = 4
    @Option(help: "PEM certificate (chain) to serve; without it a self-signed one is made at start.") var tlsCert: String?
    @Option(help: "PEM private key of --tls-cert.") var tlsKey: String?
    @Flag(help: "Serve gRPC and HTTP in plaintext (local tests only).") var noTls = false
    @Option(help: "Accept remote transcoders that present this secret (streamflow transcoder --secret).") var transcoderSecret: String?
    @Option(help: "Seconds a remote transcoder has for one segment.") var transcoderTimeout: Double = 30
    @Flag(help: .hidden) var tamperRenditions = false
    @Option(help: "A JSON file of these options (keys are the long names, e.g. \"price-per-pixel\"); options given here win.")
    var config: String?
    @OptionGroup var logging: LoggingOptions
    @OptionGroup var streamLimits: StreamLimitOptions
    @OptionGroup var serverLimits: ServerLimitOptions

    func run() async throws {
        LibavLog.errorsOnly()
        try WritableDirectory.check(out, option: "--out")
        let directory = data ?? out + "/.streamflow"
        let key = try keystore.map { try password.key(inKeystore: $0) } ?? NodeSecrets.nodeKey(directory: directory)
        let tls = try identity()
        let ports = try EdgePorts(tls: tls != nil, port: port, httpPort: httpPort, grpcPort: grpcPort)
        var configuration = NodeConfiguration(
            key: key, storage: .directory(directory), outputDirectory: out,
            price: try PriceInfo(pricePerUnit: UInt256(pricePerPixel), pixelsPerUnit: .one), capacity: capacity,
            profiles: try VideoProfile.parseList(profiles),
            transcoders: .local(count: 1, capacity: capacity, streamLimits: streamLimits.encoderLimits(capacity: capacity)),
            chain: try await settlement.nodeChain(key: key))
        configuration.ticketPolicy = settlement.policy
        configuration.host = host
        configuration.port = ports.edge
        configuration.rpcPort = ports.rpc
        configuration.tls = tls
        configuration.offchain = offchain
        configuration.limits = serverLimits.limits()
        configuration.drainLimit = NodeLifecycle.drainLimit
        if tamperRenditions { configuration.signer = FaultySigner(faults: NodeFaults(tamperRenditions: true)) }
        configuration.remoteTranscoders = transcoderSecret.map {
            RemoteTranscoderSettings(secret: $0, taskTimeout: .milliseconds(Int64(transcoderTimeout * 1_000))) { event in
                switch event {
                case .registered(let id, let capacity):
                    FileHandle.standardOutput.write(Data("transcoder \(id) registered (capacity \(capacity))\n".utf8))
                case .lost(let id, let reason):
                    FileHandle.standardOutput.write(Data("transcoder \(id) lost: \(reason)\n".utf8))
                }
            }
        }
        let node = try await Node.open(configuration)
        let settings = ["price-per-pixel": "\(pricePerPixel)", "capacity": "\(capacity)", "profiles": profiles, "out": out,
                        "data": directory, "offchain": "\(offchain)"].merging(serverLimits.settings) { first, _ in first }
        try await NodeLifecycle.serve(node, settings: settings) { edgeURL, rpc in
            let served = ports.describe(edgeURL: edgeURL, grpc: rpc.map { "\($0)" }, tls: tls != nil)
            // Written straight to the file descriptor so a supervisor reading a pipe sees it at once.
            FileHandle.standardOutput.write(Data(("orchestrator \(key.address.checksummed) serving at \(served)"
                + "\(offchain ? ", off-chain" : ""); SIGTERM or Ctrl-C stops it)\n").utf8))
        }
    }

    /// The TLS identity to serve: the given files, a fresh self-signed certificate, or none with --no-tls.
    private func identity() throws -> TLSIdentity? {
        if noTls { return nil }
        switch (tlsCert, tlsKey) {
        case (let cert?, let key?): return try TLSIdentity(certificateFile: cert, keyFile: key)
        case (nil, nil): return try TLSIdentity.selfSigned(hosts: Array(Set([host, "localhost", "127.0.0.1"])).sorted())
        default: throw CLIError("--tls-cert and --tls-key go together")
        }
    }
}
