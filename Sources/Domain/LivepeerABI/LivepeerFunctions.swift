public import EthABI

/// The functions of Livepeer's contracts that the settlement backend calls, with the types of the deployed ABI
/// (livepeer/protocol @ f225b10, arbitrumMainnet; the tests compare these signatures with the vendored artifacts).
public enum LivepeerFunctions {
    /// go-livepeer's `Ticket` struct: recipient, sender, faceValue, winProb, senderNonce, recipientRandHash, auxData.
    public static let ticketTuple = ABIType.tuple([.address, .address, .uint256, .uint256, .uint256, .bytes32, .bytes])

    public enum Controller {
        public static let getContract = ABIFunction("getContract", [.bytes32], returns: [.address])
        public static let paused = ABIFunction("paused", returns: [.bool])
    }

    public enum TicketBroker {
        public static let redeemWinningTicket = ABIFunction("redeemWinningTicket", [ticketTuple, .bytes, .uint256])
        public static let batchRedeemWinningTickets = ABIFunction(
            "batchRedeemWinningTickets", [.array(ticketTuple), .array(.bytes), .array(.uint256)])
        public static let fundDepositAndReserve = ABIFunction("fundDepositAndReserve", [.uint256, .uint256])
        public static let fundDeposit = ABIFunction("fundDeposit")
        public static let fundReserve = ABIFunction("fundReserve")
        public static let unlock = ABIFunction("unlock")
        public static let cancelUnlock = ABIFunction("cancelUnlock")
        public static let withdraw = ABIFunction("withdraw")
        /// (deposit, withdrawRound), (fundsRemaining, claimedInCurrentRound).
        public static let getSenderInfo = ABIFunction(
            "getSenderInfo", [.address], returns: [.tuple([.uint256, .uint256]), .tuple([.uint256, .uint256])])
        public static let claimableReserve = ABIFunction("claimableReserve", [.address, .address], returns: [.uint256])
        public static let claimedReserve = ABIFunction("claimedReserve", [.address, .address], returns: [.uint256])
        public static let usedTickets = ABIFunction("usedTickets", [.bytes32], returns: [.bool])
        public static let getTicketHash = ABIFunction("getTicketHash", [ticketTuple], returns: [.bytes32])
        public static let ticketValidityPeriod = ABIFunction("ticketValidityPeriod", returns: [.uint256])
        public static let unlockPeriod = ABIFunction("unlockPeriod", returns: [.uint256])
    }

    public enum BondingManager {
        public static let bond = ABIFunction("bond", [.uint256, .address])
        public static let transcoder = ABIFunction("transcoder", [.uint256, .uint256])
        public static let pendingFees = ABIFunction("pendingFees", [.address, .uint256], returns: [.uint256])
        public static let withdrawFees = ABIFunction("withdrawFees", [.address, .uint256])
        public static let getFirstTranscoderInPool = ABIFunction("getFirstTranscoderInPool", returns: [.address])
        public static let getNextTranscoderInPool = ABIFunction("getNextTranscoderInPool", [.address], returns: [.address])
        public static let transcoderTotalStake = ABIFunction("transcoderTotalStake", [.address], returns: [.uint256])
        public static let isActiveTranscoder = ABIFunction("isActiveTranscoder", [.address], returns: [.bool])
        /// lastRewardRound, rewardCut, feeShare, lastActiveStakeUpdateRound, activationRound, deactivationRound,
        /// activeCumulativeRewards, cumulativeRewards, cumulativeFees, lastFeeRound.
        public static let getTranscoder = ABIFunction("getTranscoder", [.address], returns: Array(repeating: .uint256, count: 10))
        public static let getTranscoderPoolSize = ABIFunction("getTranscoderPoolSize", returns: [.uint256])
        /// An active orchestrator's reward for the round (LPT minted to it and its delegators); once a round.
        public static let reward = ABIFunction("reward")
    }

    public enum RoundsManager {
        public static let currentRound = ABIFunction("currentRound", returns: [.uint256])
        public static let currentRoundInitialized = ABIFunction("currentRoundInitialized", returns: [.bool])
        public static let lastInitializedRound = ABIFunction("lastInitializedRound", returns: [.uint256])
        public static let blockHashForRound = ABIFunction("blockHashForRound", [.uint256], returns: [.bytes32])
        public static let roundLength = ABIFunction("roundLength", returns: [.uint256])
        public static let initializeRound = ABIFunction("initializeRound")
    }

    public enum ServiceRegistry {
        public static let getServiceURI = ABIFunction("getServiceURI", [.address], returns: [.string])
        public static let setServiceURI = ABIFunction("setServiceURI", [.string])
    }

    public enum LivepeerToken {
        public static let approve = ABIFunction("approve", [.address, .uint256], returns: [.bool])
        public static let balanceOf = ABIFunction("balanceOf", [.address], returns: [.uint256])
    }

    /// Every function above, for the signature check against the vendored artifacts.
    public static let all: [(contract: String, function: ABIFunction)] = [
        ("Controller", Controller.getContract), ("Controller", Controller.paused),
        ("TicketBrokerTarget", TicketBroker.redeemWinningTicket), ("TicketBrokerTarget", TicketBroker.batchRedeemWinningTickets),
        ("TicketBrokerTarget", TicketBroker.fundDepositAndReserve), ("TicketBrokerTarget", TicketBroker.fundDeposit),
        ("TicketBrokerTarget", TicketBroker.fundReserve), ("TicketBrokerTarget", TicketBroker.unlock),
        ("TicketBrokerTarget", TicketBroker.cancelUnlock), ("TicketBrokerTarget", TicketBroker.withdraw),
        ("TicketBrokerTarget", TicketBroker.getSenderInfo), ("TicketBrokerTarget", TicketBroker.claimableReserve),
        ("TicketBrokerTarget", TicketBroker.claimedReserve), ("TicketBrokerTarget", TicketBroker.usedTickets),
        ("TicketBrokerTarget", TicketBroker.getTicketHash), ("TicketBrokerTarget", TicketBroker.ticketValidityPeriod),
        ("TicketBrokerTarget", TicketBroker.unlockPeriod),
        ("BondingManagerTarget", BondingManager.bond), ("BondingManagerTarget", BondingManager.transcoder),
        ("BondingManagerTarget", BondingManager.pendingFees), ("BondingManagerTarget", BondingManager.withdrawFees),
        ("BondingManagerTarget", BondingManager.getFirstTranscoderInPool), ("BondingManagerTarget", BondingManager.getNextTranscoderInPool),
        ("BondingManagerTarget", BondingManager.transcoderTotalStake), ("BondingManagerTarget", BondingManager.isActiveTranscoder),
        ("BondingManagerTarget", BondingManager.getTranscoder), ("BondingManagerTarget", BondingManager.getTranscoderPoolSize),
        ("BondingManagerTarget", BondingManager.reward),
        ("RoundsManagerTarget", RoundsManager.currentRound), ("RoundsManagerTarget", RoundsManager.currentRoundInitialized),
        ("RoundsManagerTarget", RoundsManager.lastInitializedRound),
        ("RoundsManagerTarget", RoundsManager.blockHashForRound), ("RoundsManagerTarget", RoundsManager.roundLength),
        ("RoundsManagerTarget", RoundsManager.initializeRound),
        ("ServiceRegistryTarget", ServiceRegistry.getServiceURI), ("ServiceRegistryTarget", ServiceRegistry.setServiceURI),
        ("LivepeerToken", LivepeerToken.approve), ("LivepeerToken", LivepeerToken.balanceOf),
    ]
}
