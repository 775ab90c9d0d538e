public import EthABI
public import EthCrypto
public import Payments

/// A signed winning ticket as the TicketBroker's functions take it.
extension SignedTicket {
    /// The `Ticket` tuple (auxData = creationRound ‖ creationRoundBlockHash, as go-livepeer's pm/ticket.go builds it).
    public var abiTuple: ABIValue {
        .tuple([.address(ticket.recipient), .address(ticket.sender), .uint(ticket.faceValue), .uint(ticket.winProb),
                .uint(UInt64(ticket.senderNonce)), .bytes32(ticket.recipientRandHash), .bytes(ticket.auxData)])
    }

    /// Call data for `redeemWinningTicket(ticket, sig, recipientRand)`.
    public func redeemCallData() throws(ABIError) -> [UInt8] {
        try LivepeerFunctions.TicketBroker.redeemWinningTicket.callData([abiTuple, .bytes(sig), .uint(recipientRand ?? .zero)])
    }
}

extension Array where Element == SignedTicket {
    /// Call data for `batchRedeemWinningTickets(tickets, sigs, recipientRands)`.
    public func batchRedeemCallData() throws(ABIError) -> [UInt8] {
        try LivepeerFunctions.TicketBroker.batchRedeemWinningTickets.callData([
            .array(map(\.abiTuple)), .array(map { .bytes($0.sig) }), .array(map { .uint($0.recipientRand ?? .zero) }),
        ])
    }
}

/// The Controller's key for a contract name: keccak256(name), as `setContractInfo` and `getContract` use it.
public func controllerContractID(_ name: String) -> Hash32 { Keccak256.hash(Array(name.utf8)) }
