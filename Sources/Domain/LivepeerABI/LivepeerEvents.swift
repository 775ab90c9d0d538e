public import EthABI

/// The TicketBroker's events that tell a redeemer which tickets a transaction paid.
public enum LivepeerEvents {
    /// WinningTicketRedeemed(address indexed sender, address indexed recipient, uint256 faceValue, uint256 winProb,
    /// uint256 senderNonce, uint256 recipientRand, bytes auxData).
    public static let winningTicketRedeemed = ABIEvent("WinningTicketRedeemed", [
        (.address, true), (.address, true), (.uint256, false), (.uint256, false), (.uint256, false), (.uint256, false), (.bytes, false),
    ])
    /// WinningTicketTransfer(address indexed sender, address indexed recipient, uint256 amount): what the ticket paid.
    public static let winningTicketTransfer = ABIEvent("WinningTicketTransfer", [(.address, true), (.address, true), (.uint256, false)])
    /// ReserveClaimed(address indexed reserveHolder, address claimant, uint256 amount).
    public static let reserveClaimed = ABIEvent("ReserveClaimed", [(.address, true), (.address, false), (.uint256, false)])
}
