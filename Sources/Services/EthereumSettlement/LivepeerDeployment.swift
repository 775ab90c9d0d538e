public import EthCrypto
import EthABI
public import EthereumRPC
import LivepeerABI

/// Livepeer's contracts on one chain, found from the Controller as go-livepeer's `-ethController` finds them:
/// `getContract(keccak256(name))` for each name, on a node whose chain id was checked.
public struct LivepeerDeployment: Sendable, Hashable {
    public let chainID: UInt64
    public let controller: Address
    public let ticketBroker: Address
    public let bondingManager: Address
    public let roundsManager: Address
    public let serviceRegistry: Address
    public let livepeerToken: Address
    public let minter: Address

    /// The Controller's registry names of the contracts above.
    public static let contractNames = ["TicketBroker", "BondingManager", "RoundsManager", "ServiceRegistry", "LivepeerToken", "Minter"]

    /// Asks the Controller for every contract's address; refuses a node on another chain or a Controller that lacks one.
    public static func resolve(node: EthereumNode, controller: Address, expectedChainID: UInt64? = nil)
        async throws(EthereumSettlementError) -> LivepeerDeployment {
        let chainID: UInt64
        do { chainID = try await node.chainID() } catch { throw .rpc(error) }
        if let expectedChainID, expectedChainID != chainID { throw .wrongChain(expected: expectedChainID, actual: chainID) }
        var found: [String: Address] = [:]
        for name in contractNames {
            let data: [UInt8]
            do {
                data = try LivepeerFunctions.Controller.getContract.callData([.bytes32(controllerContractID(name))])
            } catch { throw .encoding("\(error)") }
            let output: [UInt8]
            do { output = try await node.call(to: controller, data: data) } catch { throw .rpc(error) }
            // A Controller address with no code answers with empty data.
            guard output.count == 32, let address = try? LivepeerFunctions.Controller.getContract.decodeOutput(output).first?.addressValue,
                  address != Address.zero else {
                throw .contractMissing(name: name, controller: controller)
            }
            found[name] = address
        }
        return LivepeerDeployment(chainID: chainID, controller: controller, ticketBroker: found["TicketBroker"]!,
                                  bondingManager: found["BondingManager"]!, roundsManager: found["RoundsManager"]!,
                                  serviceRegistry: found["ServiceRegistry"]!, livepeerToken: found["LivepeerToken"]!,
                                  minter: found["Minter"]!)
    }
}
