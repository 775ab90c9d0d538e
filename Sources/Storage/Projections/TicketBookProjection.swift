public import EventModel
import EthCrypto
import JSONCore
import Payments

/// Per recipient (orchestrator): tickets received and their expected value, winners pending,
/// redeemed and expired with face values, rejections by reason. Amounts are wei in decimal.
public struct TicketBookProjection: Projection {
    public struct Recipient: Codable, Sendable, Equatable {
        public var received = 0
        public var expectedValue = "0"
        public var won = 0
        public var wonFaceValue = "0"
        public var redeemed = 0
        public var redeemedFaceValue = "0"
        public var expired = 0
        public var rejected: [String: Int] = [:]
        /// Winning tickets not yet redeemed or expired: ticket hash → face value.
        public var pending: [String: String] = [:]
    }

    public init() {}
    public var name: String { "tickets" }
    public var initialState: [String: Recipient] { [:] }

    public func apply(_ state: inout [String: Recipient], _ event: EventRecord) {
        let envelope = event.envelope
        guard envelope.topic == .tickets, let orchestrator = envelope.keys.orchestrator?.lowercased() else { return }
        var recipient = state[orchestrator] ?? Recipient()
        // Counts and totals only: a received payment's tickets are counted, not parsed (the payments ledger decodes them).
        let payload = envelope.payload
        switch envelope.type {
        case TicketReceived.type:
            recipient.received += 1
            recipient.expectedValue = Self.add(recipient.expectedValue, payload.amount("ev"))
        case PaymentReceived.type:
            let count = payload["tickets"]?.arrayValue?.count ?? 0
            recipient.received += count
            recipient.expectedValue = Self.add(recipient.expectedValue, payload.amount("credited"))
        case TicketWon.type:
            recipient.won += 1
            let won = try? TicketWon(envelope: envelope)
            let faceValue = won?.ticket.ticket.faceValue ?? .zero
            recipient.wonFaceValue = Self.add(recipient.wonFaceValue, faceValue)
            recipient.pending[won?.ticketHash.hex ?? ""] = faceValue.description
        case TicketRedeemed.type:
            recipient.redeemed += 1
            let redeemed = try? TicketRedeemed(envelope: envelope)
            recipient.redeemedFaceValue = Self.add(recipient.redeemedFaceValue, redeemed?.faceValue ?? .zero)
            recipient.pending.removeValue(forKey: redeemed?.ticketHash.hex ?? "")
        case TicketExpired.type:
            recipient.expired += 1
            recipient.pending.removeValue(forKey: (try? TicketExpired(envelope: envelope))?.ticketHash.hex ?? "")
        case TicketRejected.type:
            recipient.rejected[(try? TicketRejected(envelope: envelope))?.reason.rawValue ?? "unknown", default: 0] += 1
        default: return
        }
        state[orchestrator] = recipient
    }

    private static func add(_ total: String, _ amount: UInt256) -> String {
        ((try? UInt256(decimal: total)) ?? .zero).accumulating(amount).description
    }
}
