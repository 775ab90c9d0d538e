// swift-tools-version: 6.1
// Streamflow: an event-sourced ledger and settlement engine for a decentralized
// live-video transcoding market (after Livepeer's Streamflow proposal).
import PackageDescription

/// Settings shared by every Swift target (Swift 6 language mode is the default for tools 6.x).
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Streamflow",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "streamflow", targets: ["StreamflowCLI"]),
        .library(name: "EthCrypto", targets: ["EthCrypto"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
    ],
    targets: [
        // C shims: one per system library, found through pkg-config, installed with apt.
        .systemLibrary(name: "CLMDB", path: "Sources/C/CLMDB", pkgConfig: "lmdb", providers: [.apt(["liblmdb-dev"])]),
        .systemLibrary(name: "CSecp256k1", path: "Sources/C/CSecp256k1", pkgConfig: "libsecp256k1", providers: [.apt(["libsecp256k1-dev"])]),
        .systemLibrary(name: "CRdKafka", path: "Sources/C/CRdKafka", pkgConfig: "rdkafka", providers: [.apt(["librdkafka-dev"])]),
        .systemLibrary(
            name: "CFFmpeg", path: "Sources/C/CFFmpeg", pkgConfig: "libavformat",
            providers: [.apt(["libavcodec-dev", "libavformat-dev", "libavutil-dev", "libswscale-dev"])]),
        .systemLibrary(name: "COpenSSL", path: "Sources/C/COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),

        // Ethereum cryptography: keccak256, secp256k1 signing, addresses, UInt256, keystores.
        .target(name: "CKeccak", path: "Sources/C/CKeccak", cSettings: [.unsafeFlags(["-O3"])]),
        .target(name: "EthCrypto", dependencies: ["CSecp256k1", "COpenSSL", "CKeccak"], path: "Sources/Core/EthCrypto", swiftSettings: swiftSettings),
        // Solidity's contract ABI: types, values, head/tail encoding, function selectors and event topics.
        .target(name: "EthABI", dependencies: ["EthCrypto"], path: "Sources/Core/EthABI", swiftSettings: swiftSettings),
        // Exact JSON: strict parser, canonical bytes, Codable bridge, JSON Schema (2020-12 subset) validator.
        .target(name: "JSONCore", path: "Sources/Core/JSONCore", swiftSettings: swiftSettings),
        // Operations: the metric names (one place), the Prometheus registry and its text, the logfmt/JSON log handler.
        .target(
            name: "Telemetry",
            dependencies: ["JSONCore", .product(name: "Logging", package: "swift-log"),
                           .product(name: "CoreMetrics", package: "swift-metrics"),
                           .product(name: "Prometheus", package: "swift-prometheus")],
            path: "Sources/Core/Telemetry", swiftSettings: swiftSettings),
        // The operator's config file (JSON, keys are the long flag names) merged under the command line.
        .target(name: "OperatorConfig", dependencies: ["JSONCore"], path: "Sources/Core/OperatorConfig", swiftSettings: swiftSettings),
        // LMDB: environment, transactions and cursors, each C handle owned by one Swift type.
        .target(name: "LMDB", dependencies: ["CLMDB"], path: "Sources/Storage/LMDB", swiftSettings: swiftSettings),
        // The pure domain core of events: envelope, keys, topics, canonical bytes and hash chain, clock.
        .target(name: "EventModel", dependencies: ["EthCrypto", "JSONCore"], path: "Sources/Core/EventModel", swiftSettings: swiftSettings),
        // The catalog of event types and their JSON Schemas (the source of Schemas/).
        .target(name: "EventSchemas", dependencies: ["EventModel", "JSONCore"], path: "Sources/Core/EventSchemas", swiftSettings: swiftSettings),
        // The LMDB-backed, hash-chained, group-committed log, its tail and its projection rows.
        .target(
            name: "EventLog", dependencies: ["EventModel", "EventSchemas", "LMDB", "EthCrypto", "JSONCore"],
            path: "Sources/Storage/EventLog", swiftSettings: swiftSettings),
        // The projections over the log and their host: one per log, tail-driven, snapshots on a bounded cadence.
        .target(
            name: "Projections",
            dependencies: ["EventLog", "EventModel", "EthCrypto", "JSONCore", "Payments", "Scheduling",
                           .product(name: "Logging", package: "swift-log"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
            path: "Sources/Storage/Projections", swiftSettings: swiftSettings),
        // The transcoder scheduler's pure state: a fold over `transcoder.*` and `task.*` events, and its choice.
        .target(name: "Scheduling", dependencies: ["EventModel", "JSONCore"], path: "Sources/Domain/Scheduling", swiftSettings: swiftSettings),
        // Livepeer's contract functions and events as the settlement backend calls them, and tickets as ABI arguments.
        .target(name: "LivepeerABI", dependencies: ["EthABI", "EthCrypto", "Payments"], path: "Sources/Domain/LivepeerABI", swiftSettings: swiftSettings),
        // Livepeer tickets and probabilistic micropayments.
        .target(name: "Payments", dependencies: ["EthCrypto", "JSONCore", "EventModel"], path: "Sources/Domain/Payments", swiftSettings: swiftSettings),
        // Transcoding on libavformat/libavcodec/swscale: segmenter, decode-once ladder, pixel counts, HLS.
        .target(name: "Transcoding", dependencies: ["CFFmpeg"], path: "Sources/Services/Transcoding", swiftSettings: swiftSettings),
        // The settlement chain (TicketBroker and staking semantics, embedded and deterministic), gas feed, redeemer.
        .target(name: "Settlement", dependencies: ["EthCrypto", "Payments", "EventModel", "EventLog", "Projections", "JSONCore", "LMDB", "Telemetry",
                                                   .product(name: "Logging", package: "swift-log"),
                                                   .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
                path: "Sources/Services/Settlement", swiftSettings: swiftSettings),
        // Ethereum JSON-RPC over HTTP(S): the client (deadline and answer bound per call) and the typed calls.
        .target(
            name: "EthereumRPC",
            dependencies: ["EthCrypto", "JSONCore", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                           .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio")],
            path: "Sources/Transport/EthereumRPC", swiftSettings: swiftSettings),
        // Settlement on a real Ethereum chain: Livepeer's contracts found from the Controller, typed reads, an EIP-1559
        // transaction sender (nonces, fee caps, replacement, confirmations) and the TicketBroker batch redeemer.
        .target(
            name: "EthereumSettlement",
            dependencies: ["EthereumRPC", "EthCrypto", "EthABI", "LivepeerABI", "Payments"],
            path: "Sources/Services/EthereumSettlement", swiftSettings: swiftSettings),
        // The node's redeemer on a real chain: winners from the projection host, every transaction and outcome in the log.
        .target(
            name: "EthereumRedemption",
            dependencies: ["EthereumSettlement", "EthereumRPC", "Settlement", "EventLog", "EventModel", "Projections", "Payments", "EthCrypto",
                           "JSONCore", .product(name: "Logging", package: "swift-log"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
            path: "Sources/Services/EthereumRedemption", swiftSettings: swiftSettings),
        // go-livepeer's wire messages (net.proto → net.pb.swift, generated once and committed) and their conversions.
        .target(
            name: "Wire",
            dependencies: ["EthCrypto", "Payments", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            path: "Sources/Domain/Wire", exclude: ["README.md"], swiftSettings: swiftSettings),
        // go-livepeer's gRPC services (net.grpc.swift, generated once and committed) and the node's transports:
        // gRPC over HTTP/2 with TLS that accepts self-signed peers, and the matching HTTPS client.
        .target(
            name: "WireRPC",
            dependencies: ["Wire", .product(name: "GRPCCore", package: "grpc-swift-2"),
                           .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                           .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                           .product(name: "AsyncHTTPClient", package: "async-http-client"),
                           .product(name: "NIOSSL", package: "swift-nio-ssl"),
                           .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "NIOHTTP1", package: "swift-nio")],
            path: "Sources/Transport/WireRPC", swiftSettings: swiftSettings),
        // The orchestrator: segment intake (payment, signature, auth, capacity, hash), results, scheduling.
        .target(
            name: "Orchestrator",
            dependencies: ["Wire", "Payments", "EthCrypto", "EventModel", "Transcoding", "Scheduling", "Telemetry",
                           .product(name: "SwiftProtobuf", package: "swift-protobuf"), .product(name: "Logging", package: "swift-log")],
            path: "Sources/Services/Orchestrator", swiftSettings: swiftSettings),
        // Fault drills (labelled): decorators the demo and the failover tests compose into a node; never in its path.
        .target(
            name: "Drills",
            dependencies: ["Orchestrator", "EthCrypto", "Wire"],
            path: "Sources/Services/Drills", swiftSettings: swiftSettings),
        // The broadcaster: orchestrator selection and suspension, result verification (signature, pixels).
        .target(
            name: "Broadcaster",
            dependencies: ["Wire", "WireRPC", "EthCrypto", "EventModel", "Transcoding", "Payments", "Telemetry",
                           .product(name: "SwiftProtobuf", package: "swift-protobuf"), .product(name: "Logging", package: "swift-log"),
                           .product(name: "GRPCCore", package: "grpc-swift-2")],
            path: "Sources/Services/Broadcaster", swiftSettings: swiftSettings),
        // The HTTP edge (Hummingbird): POST /segment and the renditions an orchestrator serves.
        .target(
            name: "Edge",
            dependencies: ["Orchestrator", "Broadcaster", "Transcoding", "Wire", "WireRPC", "Payments", "EthCrypto", "Telemetry",
                           "EventModel",
                           .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "HummingbirdTLS", package: "hummingbird"),
                           .product(name: "HummingbirdHTTP2", package: "hummingbird"),
                           .product(name: "HummingbirdCore", package: "hummingbird"),
                           .product(name: "HTTPTypes", package: "swift-http-types"),
                           .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                           .product(name: "GRPCCore", package: "grpc-swift-2"),
                           .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                           .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "NIOSSL", package: "swift-nio-ssl"),
                           .product(name: "X509", package: "swift-certificates"),
                           .product(name: "Crypto", package: "swift-crypto"),
                           .product(name: "SwiftASN1", package: "swift-asn1"),
                           .product(name: "Logging", package: "swift-log"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
            path: "Sources/Services/Edge", swiftSettings: swiftSettings),
        // A remote transcoder process: registers with an orchestrator over gRPC, transcodes what it is sent, posts results.
        .target(
            name: "TranscoderAgent",
            dependencies: ["Wire", "WireRPC", "Transcoding", "Orchestrator",
                           .product(name: "GRPCCore", package: "grpc-swift-2")],
            path: "Sources/Services/TranscoderAgent", swiftSettings: swiftSettings),
        // Distributed mode's bus: librdkafka producer and consumer, topic contracts, the Kafka event sink and log sink.
        .target(
            name: "KafkaBus",
            dependencies: ["CRdKafka", "EventModel", "EventSchemas", "EventLog", "JSONCore"],
            path: "Sources/Transport/KafkaBus", swiftSettings: swiftSettings),
        // The Kafka transcoder fleet: the orchestrator's side (requests, results) and the worker process's loop.
        .target(
            name: "Fleet",
            dependencies: ["KafkaBus", "Orchestrator", "Transcoding", "EventModel", "EthCrypto", "JSONCore"],
            path: "Sources/Services/Fleet", swiftSettings: swiftSettings),
        // Audits over the log: verify, export, import, rebuild, stream timelines.
        .target(
            name: "Audit",
            dependencies: ["EventLog", "Projections", "EventModel", "EventSchemas", "EthCrypto", "JSONCore", "Payments"],
            path: "Sources/Services/Audit", swiftSettings: swiftSettings),
        // Deterministic scenarios and synthetic events (reference scenario, benchmarks, crash tests).
        .target(
            name: "Scenarios", dependencies: ["EventModel", "EthCrypto", "JSONCore", "Payments"],
            path: "Sources/App/Scenarios", swiftSettings: swiftSettings),
        // The seeded, deterministic simulation of the whole market in one process: the product's orchestrator node,
        // broadcaster, redeemer and chain rules over an in-memory event store, an in-process transport and a virtual clock.
        .target(
            name: "MarketSimulation",
            dependencies: ["EventModel", "EventSchemas", "Projections", "Payments", "Scheduling", "Settlement", "Orchestrator",
                           "Broadcaster", "Drills", "Transcoding", "Wire", "WireRPC", "EthCrypto", "JSONCore", "Telemetry",
                           .product(name: "Logging", package: "swift-log"), .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            path: "Sources/App/MarketSimulation", swiftSettings: swiftSettings),
        // Version probes of every linked C library (proves each shim links and loads).
        .target(
            name: "NativeLibraries",
            dependencies: ["CLMDB", "CSecp256k1", "CRdKafka", "CFFmpeg", "COpenSSL"],
            path: "Sources/App/NativeLibraries", swiftSettings: swiftSettings),
        // Benchmarks run from the CLI; the only place outside a wrapper that calls C directly (anchors).
        .target(
            name: "Benchmarks",
            dependencies: [
                "EthCrypto", "CSecp256k1", "CLMDB", "EventLog", "EventModel", "Audit", "LMDB", "JSONCore", "Payments",
                "Transcoding", "Orchestrator", "Broadcaster", "Edge", "Wire", "KafkaBus", "Projections", "StreamflowNode",
            ],
            path: "Sources/App/Benchmarks", swiftSettings: swiftSettings),
        // The composition root: a NodeConfiguration becomes a Node, one ServiceGroup of every part of an orchestrator.
        .target(
            name: "StreamflowNode",
            dependencies: [
                "Edge", "Orchestrator", "EventLog", "Projections", "EventModel", "Payments", "EthCrypto", "Scheduling", "Transcoding",
                "Settlement", "KafkaBus", "Fleet", "WireRPC", "EthereumRedemption",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/App/StreamflowNode", swiftSettings: swiftSettings),
        .executableTarget(
            name: "StreamflowCLI",
            dependencies: [
                "EthCrypto", "NativeLibraries", "Benchmarks", "EventLog", "Projections", "EventModel", "EventSchemas", "Audit",
                "Scenarios", "JSONCore", "LMDB", "Payments", "Transcoding", "Settlement", "Edge", "Orchestrator",
                "Broadcaster", "Wire", "Telemetry", "OperatorConfig", "WireRPC", "TranscoderAgent", "KafkaBus", "Fleet", "Drills", "StreamflowNode",
                "MarketSimulation", "EthereumRPC", "EthereumSettlement", "EthereumRedemption", "EthABI", "LivepeerABI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            path: "Sources/App/StreamflowCLI", swiftSettings: swiftSettings),

        // Shared by the test targets: the Python oracle (.venv) and running the built CLI.
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: swiftSettings),
        .testTarget(
            name: "KafkaTests",
            dependencies: ["KafkaBus", "Fleet", "EventLog", "EventModel", "EventSchemas", "Scenarios", "JSONCore", "EthCrypto", "Settlement",
                           "TestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "EthereumTests", dependencies: ["EthCrypto", "EthABI", "LivepeerABI", "EthereumRPC", "EthereumSettlement", "EthereumRedemption", "Settlement", "EventLog", "EventModel", "Projections", "LMDB", "Payments", "JSONCore", "TestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(name: "EthCryptoTests", dependencies: ["EthCrypto", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "JSONCoreTests", dependencies: ["JSONCore", "TestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(name: "LMDBTests", dependencies: ["LMDB", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "EventLogTests",
            dependencies: ["EventLog", "Projections", "EventModel", "EventSchemas", "Audit", "Scenarios", "JSONCore", "EthCrypto",
                           "Payments", "LMDB", "TestSupport",
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "PaymentsTests",
            dependencies: ["Payments", "EthCrypto", "EventModel", "EventLog", "Projections", "JSONCore", "LMDB", "Audit", "TestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(name: "TranscodingTests", dependencies: ["Transcoding", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "SettlementTests",
            dependencies: ["Settlement", "Payments", "EthCrypto", "EventLog", "Projections", "EventModel", "LMDB", "JSONCore", "TestSupport",
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "OrchestratorTests",
            dependencies: ["Orchestrator", "Wire", "Payments", "EthCrypto", "TestSupport", "EventLog", "Projections", "EventModel", "Scheduling", "Drills",
                           "JSONCore", "Transcoding",
                           .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "EdgeTests",
            dependencies: ["Edge", "Orchestrator", "Broadcaster", "Wire", "WireRPC", "TranscoderAgent", "Payments", "EthCrypto",
                           "Transcoding", "TestSupport", "EventLog", "EventModel", "JSONCore", "Drills",
                           .product(name: "GRPCCore", package: "grpc-swift-2"),
                           .product(name: "AsyncHTTPClient", package: "async-http-client"),
                           .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "HummingbirdTesting", package: "hummingbird"),
                           .product(name: "HTTPTypes", package: "swift-http-types"),
                           .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "NIOPosix", package: "swift-nio"),
                           .product(name: "NIOEmbedded", package: "swift-nio"),
                           .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "NodeTests",
            dependencies: ["StreamflowNode", "Broadcaster", "Settlement", "EventLog", "Projections", "Payments", "EthCrypto", "EventModel",
                           "Wire", "WireRPC", "JSONCore", "KafkaBus", "TestSupport", "EthereumRPC", "EthereumSettlement", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "SimulationTests",
            dependencies: ["MarketSimulation", "EventModel", "EventSchemas", "Payments", "Settlement", "EthCrypto", "TestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(name: "NativeLibrariesTests", dependencies: ["NativeLibraries"], swiftSettings: swiftSettings),
        .testTarget(name: "CLITests", dependencies: ["EthCrypto", "LMDB", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "OperationsTests",
            dependencies: ["Telemetry", "OperatorConfig", "Edge", "EventLog", "EventModel", "Orchestrator", "Payments", "EthCrypto", "Transcoding", "Wire",
                           "JSONCore", "TestSupport",
                           .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "HTTPTypes", package: "swift-http-types"),
                           .product(name: "Logging", package: "swift-log"),
                           .product(name: "CoreMetrics", package: "swift-metrics"),
                           .product(name: "Prometheus", package: "swift-prometheus"),
                           .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            swiftSettings: swiftSettings),
    ]
)
