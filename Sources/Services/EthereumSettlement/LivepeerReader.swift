public import EthABI
public import EthCrypto
public import EthereumRPC
import LivepeerABI

/// A broadcaster's funds on the TicketBroker, as `getSenderInfo` reports them.
public struct SenderFundsOnChain: Sendable, Hashable {
    public let deposit: UInt256
    /// The round from which the deposit and reserve can be withdrawn; zero when no unlock is in progress.
    public let withdrawRound: UInt256
    /// What is left of the reserve.
    public let reserve: UInt256
    public let claimedInCurrentRound: UInt256
}

/// An orchestrator as the BondingManager and ServiceRegistry describe it.
public struct TranscoderOnChain: Sendable, Hashable {
    public let address: Address
    public let totalStake: UInt256
    /// Of 1,000,000 (PERC_DIVISOR): the share of rewards the orchestrator keeps.
    public let rewardCut: UInt256
    /// Of 1,000,000: the share of fees that goes to delegators.
    public let feeShare: UInt256
    public let activationRound: UInt256
    public let active: Bool
    public let serviceURI: String
}

/// The read-only calls the settlement backend and `streamflow eth status` make against Livepeer's contracts.
public struct LivepeerReader: Sendable {
    public let node: EthereumNode
    public let deployment: LivepeerDeployment
    /// The most pool entries read when walking the active set (Livepeer's pool holds at most 100).
    public let maxPoolWalk: Int

    public init(node: EthereumNode, deployment: LivepeerDeployment, maxPoolWalk: Int = 200) {
        self.node = node
        self.deployment = deployment
        self.maxPoolWalk = maxPoolWalk
    }

    public func currentRound() async throws(EthereumSettlementError) -> UInt64 {
        try uint64(try await view(LivepeerFunctions.RoundsManager.currentRound, deployment.roundsManager), "currentRound")
    }

    public func currentRoundInitialized() async throws(EthereumSettlementError) -> Bool {
        try await view(LivepeerFunctions.RoundsManager.currentRoundInitialized, deployment.roundsManager).first?.boolValue ?? false
    }

    /// The newest round someone called `initializeRound` for: tickets name it and its block hash (go-livepeer's
    /// RoundsWatcher does the same), since a round that is not initialised has no block hash yet.
    public func lastInitializedRound() async throws(EthereumSettlementError) -> UInt64 {
        try uint64(try await view(LivepeerFunctions.RoundsManager.lastInitializedRound, deployment.roundsManager), "lastInitializedRound")
    }

    public func roundLength() async throws(EthereumSettlementError) -> UInt64 {
        try uint64(try await view(LivepeerFunctions.RoundsManager.roundLength, deployment.roundsManager), "roundLength")
    }

    /// The block hash a round's tickets carry (zero until the round is initialised).
    public func blockHashForRound(_ round: UInt64) async throws(EthereumSettlementError) -> Hash32 {
        let value = try await view(LivepeerFunctions.RoundsManager.blockHashForRound, deployment.roundsManager, [.uint(round)])
        guard let bytes = value.first?.bytesValue, let hash = try? Hash32(bytes: bytes) else {
            throw .undecodable(function: "blockHashForRound", reason: "not bytes32")
        }
        return hash
    }

    public func ticketValidityPeriod() async throws(EthereumSettlementError) -> UInt64 {
        try uint64(try await view(LivepeerFunctions.TicketBroker.ticketValidityPeriod, deployment.ticketBroker), "ticketValidityPeriod")
    }

    public func senderFunds(_ sender: Address) async throws(EthereumSettlementError) -> SenderFundsOnChain {
        let value = try await view(LivepeerFunctions.TicketBroker.getSenderInfo, deployment.ticketBroker, [.address(sender)])
        guard value.count == 2, let first = value[0].members, let second = value[1].members, first.count == 2, second.count == 2,
              let deposit = first[0].uint256, let withdrawRound = first[1].uint256, let reserve = second[0].uint256,
              let claimed = second[1].uint256 else {
            throw .undecodable(function: "getSenderInfo", reason: "\(value)")
        }
        return SenderFundsOnChain(deposit: deposit, withdrawRound: withdrawRound, reserve: reserve, claimedInCurrentRound: claimed)
    }

    /// What `claimant` may still claim from `sender`'s reserve this round.
    public func claimableReserve(sender: Address, claimant: Address) async throws(EthereumSettlementError) -> UInt256 {
        try uint(try await view(LivepeerFunctions.TicketBroker.claimableReserve, deployment.ticketBroker,
                                [.address(sender), .address(claimant)]), "claimableReserve")
    }

    public func claimedReserve(sender: Address, claimant: Address) async throws(EthereumSettlementError) -> UInt256 {
        try uint(try await view(LivepeerFunctions.TicketBroker.claimedReserve, deployment.ticketBroker,
                                [.address(sender), .address(claimant)]), "claimedReserve")
    }

    /// Whether the TicketBroker has paid (or skipped as used) the ticket with this hash.
    public func ticketUsed(_ hash: Hash32) async throws(EthereumSettlementError) -> Bool {
        try await view(LivepeerFunctions.TicketBroker.usedTickets, deployment.ticketBroker, [.bytes32(hash)]).first?.boolValue ?? false
    }

    /// The fees a delegator (an orchestrator bonded to itself included) can withdraw, as of `round`.
    public func pendingFees(_ delegator: Address, round: UInt64) async throws(EthereumSettlementError) -> UInt256 {
        try uint(try await view(LivepeerFunctions.BondingManager.pendingFees, deployment.bondingManager,
                                [.address(delegator), .uint(round)]), "pendingFees")
    }

    public func tokenBalance(_ account: Address) async throws(EthereumSettlementError) -> UInt256 {
        try uint(try await view(LivepeerFunctions.LivepeerToken.balanceOf, deployment.livepeerToken, [.address(account)]), "balanceOf")
    }

    public func transcoder(_ address: Address) async throws(EthereumSettlementError) -> TranscoderOnChain {
        let info = try await view(LivepeerFunctions.BondingManager.getTranscoder, deployment.bondingManager, [.address(address)])
        guard info.count == 10, let rewardCut = info[1].uint256, let feeShare = info[2].uint256, let activation = info[4].uint256 else {
            throw .undecodable(function: "getTranscoder", reason: "\(info.count) values")
        }
        let stake = try uint(try await view(LivepeerFunctions.BondingManager.transcoderTotalStake, deployment.bondingManager,
                                            [.address(address)]), "transcoderTotalStake")
        let active = try await view(LivepeerFunctions.BondingManager.isActiveTranscoder, deployment.bondingManager,
                                    [.address(address)]).first?.boolValue ?? false
        let uri = try await view(LivepeerFunctions.ServiceRegistry.getServiceURI, deployment.serviceRegistry,
                                 [.address(address)]).first?.stringValue ?? ""
        return TranscoderOnChain(address: address, totalStake: stake, rewardCut: rewardCut, feeShare: feeShare,
                                 activationRound: activation, active: active, serviceURI: uri)
    }

    /// The transcoder pool in stake order, walked with `getFirstTranscoderInPool` / `getNextTranscoderInPool`
    /// (bounded by `limit` and `maxPoolWalk`).
    public func transcoderPool(limit: Int = 100) async throws(EthereumSettlementError) -> [TranscoderOnChain] {
        var result: [TranscoderOnChain] = []
        guard var current = try await view(LivepeerFunctions.BondingManager.getFirstTranscoderInPool,
                                           deployment.bondingManager).first?.addressValue else {
            throw .undecodable(function: "getFirstTranscoderInPool", reason: "not an address")
        }
        while current != .zero, result.count < min(limit, maxPoolWalk) {
            result.append(try await transcoder(current))
            guard let next = try await view(LivepeerFunctions.BondingManager.getNextTranscoderInPool, deployment.bondingManager,
                                            [.address(current)]).first?.addressValue else {
                throw .undecodable(function: "getNextTranscoderInPool", reason: "not an address")
            }
            current = next
        }
        return result
    }

    /// Calls a view function and decodes its outputs.
    public func view(_ function: ABIFunction, _ contract: Address, _ arguments: [ABIValue] = [], from: Address? = nil)
        async throws(EthereumSettlementError) -> [ABIValue] {
        let data: [UInt8]
        do { data = try function.callData(arguments) } catch { throw .encoding("\(function.name): \(error)") }
        let output: [UInt8]
        do { output = try await node.call(to: contract, data: data, from: from) } catch {
            if let reason = error.revertReason { throw .wouldRevert(function: function.name, reason: reason) }
            throw .rpc(error)
        }
        do { return try function.decodeOutput(output) } catch { throw .undecodable(function: function.name, reason: "\(error)") }
    }

    private func uint(_ values: [ABIValue], _ function: String) throws(EthereumSettlementError) -> UInt256 {
        guard let value = values.first?.uint256 else { throw .undecodable(function: function, reason: "not a uint256") }
        return value
    }

    private func uint64(_ values: [ABIValue], _ function: String) throws(EthereumSettlementError) -> UInt64 {
        guard let value = try uint(values, function).uint64Value else { throw .undecodable(function: function, reason: "over 64 bits") }
        return value
    }
}
