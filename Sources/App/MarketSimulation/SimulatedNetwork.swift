public import Broadcaster
public import EthCrypto
import EventModel
import Foundation
import Orchestrator
import Payments
import SwiftProtobuf
import Synchronization
public import Wire
public import WireRPC

/// The wire between the simulated broadcasters and orchestrators, in process: GetOrchestrator answered by the node's
/// `orchestratorInfo`, POST /segment carried as the same base64 Livepeer-Segment and Livepeer-Payment headers the HTTPS
/// edge hands the node, rendition fetches read from the node's output directory. The fault plan decides, per message,
/// whether it is dropped, its answer lost, delivered twice, or delivered again later; a node that is down refuses.
public final class SimulatedNetwork: Sendable {
    /// Messages set aside to be delivered again later (a delayed duplicate) at most; more are refused and counted.
    public static let delayedCapacity = 64

    let orchestrators: [String: SimulatedOrchestrator]
    let faults: FaultPlan
    let clock: VirtualClock
    private let state = Mutex(State())

    struct State {
        var gasPrice: UInt256 = .one
        var delayed: [(url: String, segment: String, payment: String, body: [UInt8])] = []
        var counts = FaultCounts()
        var seedCounter: UInt64 = 0
    }

    init(orchestrators: [SimulatedOrchestrator], faults: FaultPlan, clock: VirtualClock) {
        self.orchestrators = Dictionary(uniqueKeysWithValues: orchestrators.map { ($0.url, $0) })
        self.faults = faults
        self.clock = clock
    }

    /// The gas price the orchestrators see now.
    var gasPrice: UInt256 {
        get { state.withLock { $0.gasPrice } }
        set { state.withLock { $0.gasPrice = newValue } }
    }

    var counts: FaultCounts { state.withLock { $0.counts } }
    func count(_ change: (inout FaultCounts) -> Void) { state.withLock { change(&$0.counts) } }

    /// The transport one broadcaster uses.
    func transport(for sender: Address) -> InProcessTransport { InProcessTransport(network: self, sender: sender) }

    /// Delivers the delayed duplicates again (their answers go nowhere).
    func deliverDelayed() async {
        let due = state.withLock { state in
            defer { state.delayed = [] }
            return state.delayed
        }
        for message in due {
            guard let orchestrator = orchestrators[message.url], let node = orchestrator.node else { continue }
            _ = await node.handleSegment(segmentHeader: message.segment, paymentHeader: message.payment, body: message.body,
                                         context: orchestrator.context(gasPrice: gasPrice), now: clock.seconds)
        }
    }

    fileprivate func info(from url: String, sender: Address) throws(NodeTransportError) -> Net_OrchestratorInfo {
        guard let orchestrator = orchestrators[url], let node = orchestrator.node else {
            throw .rpc(code: "unavailable", message: "\(url) is down")
        }
        if faults.roll(\.dropMessage) {
            count { $0.droppedMessages += 1 }
            throw .rpc(code: "deadlineExceeded", message: "GetOrchestrator timed out")
        }
        let seed = state.withLock { state -> Hash32 in
            state.seedCounter += 1
            return Keccak256.hash(Array("\(url)/\(sender.checksummed)/\(state.seedCounter)".utf8))
        }
        do {
            return try node.orchestratorInfo(sender: sender, funds: node.senderFunds.read(sender), activeSetSize: 100,
                                             context: orchestrator.context(gasPrice: gasPrice), now: clock.seconds, seed: seed)
        } catch {
            throw .rpc(code: "internal", message: "\(error)")
        }
    }

    fileprivate func post(to url: String, segment: String, payment: String, body: [UInt8]) async throws(NodeTransportError)
        -> (status: Int, body: [UInt8]) {
        guard let orchestrator = orchestrators[url], let node = orchestrator.node else { throw .http("\(url): connection refused") }
        if faults.roll(\.dropMessage) {
            count { $0.droppedMessages += 1 }
            throw .http("\(url)/segment: timed out (request lost)")
        }
        let context = orchestrator.context(gasPrice: gasPrice)
        let reply = await node.handleSegment(segmentHeader: segment, paymentHeader: payment, body: body, context: context, now: clock.seconds)
        if faults.roll(\.duplicateMessage) {
            count { $0.duplicatedMessages += 1 }
            _ = await node.handleSegment(segmentHeader: segment, paymentHeader: payment, body: body, context: context, now: clock.seconds)
        }
        if faults.roll(\.delayedDuplicate) { setAside(url: url, segment: segment, payment: payment, body: body) }
        if faults.roll(\.loseAnswer) {
            count { $0.lostAnswers += 1 }
            throw .http("\(url)/segment: timed out (answer lost)")
        }
        return (reply.status, reply.body)
    }

    /// Keeps a copy of a request to deliver again at the next step; past `delayedCapacity` it is refused and counted.
    func setAside(url: String, segment: String, payment: String, body: [UInt8]) {
        state.withLock { state in
            guard state.delayed.count < Self.delayedCapacity else {
                state.counts.delayedRefused += 1
                return
            }
            state.delayed.append((url, segment, payment, body))
            state.counts.delayedDuplicates += 1
        }
    }

    fileprivate func fetch(_ url: String) throws(NodeTransportError) -> (status: Int, body: [UInt8]) {
        guard let (base, orchestrator) = orchestrators.first(where: { url.hasPrefix($0.key + "/stream/") }) else {
            throw .http("\(url): no such host")
        }
        guard orchestrator.isUp else { throw .http("\(url): connection refused") }
        let path = orchestrator.directory + "/" + url.dropFirst(base.count + "/stream/".count)
        guard let bytes = FileManager.default.contents(atPath: path) else { return (404, Array("not found".utf8)) }
        return (200, Array(bytes))
    }
}

/// One broadcaster's end of the simulated wire (`OrchestratorTransport`, as `OrchestratorClient` is on the network).
public struct InProcessTransport: OrchestratorTransport {
    let network: SimulatedNetwork
    let sender: Address

    public func getOrchestrator(_ address: String, offchain: Bool, capabilities: Net_Capabilities) async throws(NodeTransportError)
        -> Net_OrchestratorInfo {
        try network.info(from: address, sender: sender)
    }

    public func postSegment(transcoderURL: String, segment: Net_SegData, payment: Net_Payment?, body: [UInt8],
                            timeout: Duration) async throws(NodeTransportError) -> (status: Int, body: [UInt8]) {
        guard let segmentHeader = try? segment.serializedData().base64EncodedString(),
              let paymentHeader = try? payment.map({ try $0.serializedData().base64EncodedString() }) ?? "" else {
            throw .http("cannot serialize the segment or payment header")
        }
        return try await network.post(to: transcoderURL, segment: segmentHeader, payment: paymentHeader, body: body)
    }

    public func fetch(_ url: String) async throws(NodeTransportError) -> (status: Int, body: [UInt8]) {
        try network.fetch(url)
    }
}
