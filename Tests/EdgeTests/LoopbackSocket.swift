import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// A raw TCP connection on loopback for the limits tests: bytes written as given (from a chosen source address, so
/// 127.0.0.2 is another client than 127.0.0.1), bytes received collected, and whether the server closed it.
final class LoopbackSocket: Sendable {
    let channel: any Channel
    private let received: Received

    private init(channel: any Channel, received: Received) {
        self.channel = channel
        self.received = received
    }

    /// Connects to 127.0.0.1:`port` from `source`.
    static func open(port: Int, from source: String = "127.0.0.1") async throws -> LoopbackSocket {
        let received = Received()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(to: try SocketAddress(ipAddress: source, port: 0))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Collector(received: received)) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return LoopbackSocket(channel: channel, received: received)
    }

    /// Writes `bytes`; returns once the socket took them (so a server that stops reading stops the sender).
    func send(_ bytes: ByteBuffer) async throws { try await channel.writeAndFlush(bytes).get() }

    func send(_ text: String) async throws { try await send(ByteBuffer(string: text)) }

    /// Everything received so far, as text.
    var text: String { received.text }

    /// Whether a response head has arrived.
    var hasResponse: Bool { text.contains("\r\n\r\n") }

    /// The response's status code, once its head has arrived.
    var status: Int? {
        guard hasResponse, let line = text.split(separator: "\r\n").first else { return nil }
        return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
    }

    /// Polls until `condition` holds or `limit` passes; whether it held.
    static func eventually(within limit: Duration, _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }

    func close() { channel.close(promise: nil) }

    private final class Received: Sendable {
        private let bytes = Mutex<[UInt8]>([])
        func append(_ buffer: ByteBuffer) { bytes.withLock { $0 += buffer.readableBytesView } }
        var text: String { String(decoding: bytes.withLock { $0 }, as: UTF8.self) }
    }

    private final class Collector: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let received: Received
        init(received: Received) { self.received = received }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) { received.append(unwrapInboundIn(data)) }
    }
}

/// The process's resident set (VmRSS), in bytes.
enum ResidentMemory {
    static func bytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return 0 }
        return kilobytes * 1_024
    }
}
