public import Foundation
public import EthCrypto

/// What go-livepeer signs on the Orchestrator service outside segments: the broadcaster's OrchestratorRequest
/// (its checksummed address) and the orchestrator's Ping answer. Both sign keccak256(message) in the
/// Ethereum signed-message form (go-livepeer's `Sign(msg)` = `Eth.Sign(Keccak256(msg))`).
public enum NodeSigning {
    /// The bytes a broadcaster signs for OrchestratorRequest.sig: keccak256 of its EIP-55 address text
    /// ("0x…", as go-livepeer's `Address().Hex()`).
    public static func requestMessage(sender: Address) -> [UInt8] {
        Keccak256.hash(Array(sender.checksummed.utf8)).bytes
    }

    /// An OrchestratorRequest from `key`: its address bytes and the signature over them.
    public static func request(key: PrivateKey) throws(EthCryptoError) -> Net_OrchestratorRequest {
        var request = Net_OrchestratorRequest()
        request.address = Data(key.address.bytes)
        request.sig = Data(try key.signMessage(requestMessage(sender: key.address)).bytes)
        return request
    }

    /// The sender of `request` when its signature is the one its address makes; nil otherwise.
    public static func verifiedSender(of request: Net_OrchestratorRequest) -> Address? {
        guard let sender = try? Address(bytes: request.address), let signature = try? Signature(bytes: request.sig),
              signature.isValid(message: requestMessage(sender: sender), signer: sender) else { return nil }
        return sender
    }

    /// The orchestrator's Ping answer: its signature over keccak256(value).
    public static func pong(value: Data, key: PrivateKey) throws(EthCryptoError) -> Data {
        Data(try key.signMessage(Keccak256.hash(Array(value)).bytes).bytes)
    }
}
