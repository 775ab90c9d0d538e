public import EventModel
import EthCrypto
import JSONCore

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
        let payload = envelope.payload
        let ticketHash = payload.text("ticketHash") ?? ""
        switch envelope.type {
        case "ticket.received":
            recipient.received += 1
            recipient.expectedValue = Self.add(recipient.expectedValue, payload.amount("ev"))
        case "payment.received":
            let count = payload["tickets"]?.arrayValue?.count ?? 0
            recipient.received += count
            recipient.expectedValue = Self.add(recipient.expectedValue, payload.amount("credited"))
        case "ticket.won":
            recipient.won += 1
            let faceValue = payload["ticket"]?.amount("faceValue") ?? .zero
            recipient.wonFaceValue = Self.add(recipient.wonFaceValue, faceValue)
            recipient.pending[ticketHash] = faceValue.description
        case TicketRedeemed.type:
            recipient.redeemed += 1
            recipient.redeemedFaceValue = Self.add(recipient.redeemedFaceValue, payload.amount("faceValue"))
            recipient.pending.removeValue(forKey: ticketHash)
        case TicketExpired.type:
            recipient.expired += 1
            recipient.pending.removeValue(forKey: ticketHash)
        case "ticket.rejected":
            recipient.rejected[payload.text("reason") ?? "unknown", default: 0] += 1
        default: return
        }
        state[orchestrator] = recipient
    }

    private static func add(_ total: String, _ amount: UInt256) -> String {
        ((try? UInt256(decimal: total)) ?? .zero).accumulating(amount).description
    }
}
