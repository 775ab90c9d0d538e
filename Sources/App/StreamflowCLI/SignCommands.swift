import ArgumentParser
import EthCrypto

/// `streamflow sign`: sign a message (prefix-hashed, as Livepeer signs) with a keystore's key.
struct SignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign HEX bytes the Ethereum way; prints the 65-byte signature R‖S‖V as 0x-hex.")

    @Option(help: "The keystore v3 file holding the key.")
    var keystore: String
    @OptionGroup var password: PasswordOptions
    @Option(help: "The message as hex (prefix-hashed: keccak256(\"\\x19Ethereum Signed Message:\\n\" + len + m)).")
    var message: String

    func run() throws {
        let bytes = try Hex.decode(message)
        let key = try password.key(inKeystore: keystore)
        print(try key.signMessage(bytes).hex)
    }
}

/// `streamflow recover`: the checksummed address that signed a message.
struct RecoverCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recover", abstract: "Print the checksummed address that produced SIG over the message HEX.")

    @Option(help: "The message as hex (prefix-hashed before recovery).")
    var message: String
    @Option(help: "The 65-byte signature R‖S‖V as hex (V 27 or 28, low S).")
    var sig: String

    func run() throws {
        let bytes = try Hex.decode(message)
        let signature = try Signature(hex: sig)
        print(try signature.recoverSigner(message: bytes).checksummed)
    }
}
