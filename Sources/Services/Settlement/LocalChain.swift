import Foundation
public import EventLog
public import EventModel
public import EthCrypto
public import LMDB
import Synchronization

/// The embedded settlement chain kept in LMDB (`<directory>`): the state, each transaction's receipt and the
/// events it produced, written in one durable transaction. Submitting is idempotent by transaction id, so a
/// redeemer that crashed between sending and recording can ask again and get the first receipt, never a
/// second payout. With an event log, the events go to the log after each commit (an outbox emptied on open
/// too, so a crash between the two loses none).
public final class LocalChain: Sendable {
    private let environment: LMDBEnvironment
    private let stateDatabase: LMDBDatabase
    private let receiptDatabase: LMDBDatabase
    private let outboxDatabase: LMDBDatabase
    private let eventLog: EventLog?
    /// The state now; a submission holds the lock from reading it to persisting its successor.
    private let current: Mutex<ChainState>
    private static let stateKey = Array("state".utf8)

    /// Opens the chain at `directory`, creating it from `genesis` when it is new.
    public init(directory: String, genesis: @autoclosure () -> ChainState, log: EventLog? = nil) throws {
        eventLog = log
        var options = LMDBEnvironment.Options()
        options.mapSize = 256 << 20
        environment = try LMDBEnvironment(path: directory, options: options)
        let states = try environment.database("state")
        stateDatabase = states
        receiptDatabase = try environment.database("receipts")
        outboxDatabase = try environment.database("outbox")
        let stored = try environment.read { transaction in try transaction.get(Self.stateKey, in: states) }
        let decoded = try stored.map { try JSONDecoder().decode(ChainState.self, from: Data($0)) }
        let initial = decoded ?? genesis()
        current = Mutex(initial)
        if decoded == nil { try persist(initial, receipt: nil, events: []) }
        try flushOutbox()
    }

    /// Opens a chain that must already exist (reports, audits).
    public static func existing(directory: String) throws -> LocalChain {
        guard FileManager.default.fileExists(atPath: directory + "/data.mdb") else {
            throw LocalChainError.missing(directory)
        }
        return try LocalChain(directory: directory, genesis: ChainState(config: ChainConfig()))
    }

    /// The chain's state now.
    public var state: ChainState { current.withLock { $0 } }

    /// The receipt of an earlier submission, if the chain has it.
    public func receipt(id: String) throws -> ChainReceipt? {
        let bytes = try environment.read { transaction in try transaction.get(Array(id.utf8), in: receiptDatabase) }
        return try bytes.map { try JSONDecoder().decode(ChainReceipt.self, from: Data($0)) }
    }

    /// Executes `transaction` once per `id`: a repeated id returns the first receipt and changes nothing.
    public func submit(_ transaction: ChainTransaction, from caller: Address, gasPrice: UInt256, id: String) throws -> ChainReceipt {
        try current.withLock { current in
            if let earlier = try receipt(id: id) { return earlier }
            var next = current
            let receipt = next.execute(transaction, from: caller, gasPrice: gasPrice)
            let events = ChainEvents.forTransaction(transaction, caller: caller, id: id, before: current, after: next, receipt: receipt)
            try persist(next, receipt: (id, receipt), events: events)
            current = next
            try flushOutbox()
            return receipt
        }
    }

    /// Mines `blocks` empty blocks.
    public func advance(blocks: UInt64) throws {
        try current.withLock { current in
            var next = current
            next.advance(blocks: blocks)
            try persist(next, receipt: nil, events: ChainEvents.forBlocks(before: current, after: next))
            current = next
            try flushOutbox()
        }
    }

    private func persist(_ state: ChainState, receipt: (String, ChainReceipt)?, events: [EventEnvelope]) throws {
        let encoder = JSONEncoder()
        let stateBytes = Array(try encoder.encode(state))
        let receiptBytes = try receipt.map { Array(try encoder.encode($0.1)) }
        let eventBytes = eventLog != nil && !events.isEmpty ? try EnvelopeJSON.encodeArray(events) : nil
        let outboxKey = Array((events.first?.id ?? "").utf8)
        try environment.write { transaction in
            try transaction.put(stateBytes, forKey: Self.stateKey, in: stateDatabase)
            if let receipt, let receiptBytes {
                try transaction.put(receiptBytes, forKey: Array(receipt.0.utf8), in: receiptDatabase)
            }
            if let eventBytes { try transaction.put(eventBytes, forKey: outboxKey, in: outboxDatabase) }
        }
    }

    /// Appends every event waiting in the outbox to the log (idempotent by id), then empties the outbox.
    private func flushOutbox() throws {
        guard let eventLog else { return }
        var waiting: [([UInt8], [EventEnvelope])] = []
        try environment.read { transaction in
            try transaction.forEach(in: outboxDatabase) { key, value in
                waiting.append((Array(key), try EnvelopeJSON.decodeArray(bytes: Array(value))))
                return true
            }
        }
        guard !waiting.isEmpty else { return }
        _ = try eventLog.appendAndWait(waiting.flatMap(\.1).map { try PreparedEvent($0) })
        try environment.write { transaction in
            for (key, _) in waiting { _ = try transaction.delete(key, in: outboxDatabase) }
        }
    }
}

/// Why a chain could not be opened.
public enum LocalChainError: Error, Equatable, Sendable, CustomStringConvertible {
    case missing(String)
    public var description: String {
        switch self {
        case .missing(let directory): "no settlement chain at \(directory) (expected DATA/chain/data.mdb)"
        }
    }
}

