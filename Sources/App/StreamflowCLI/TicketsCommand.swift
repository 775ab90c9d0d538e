import ArgumentParser
import EthCrypto
import Foundation
import JSONCore
import EventSchemas
import Payments

/// `streamflow tickets hash|sign|verify`: one JSON ticket (go-livepeer field names) from a file or stdin.
struct TicketsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tickets",
        abstract: "Hash, sign and verify Livepeer tickets given as JSON (a file, or stdin when omitted or '-').",
        subcommands: [TicketHashCommand.self, TicketSignCommand.self, TicketVerifyCommand.self])
}

/// Where a ticket's JSON comes from.
struct TicketInput: ParsableArguments {
    @Argument(help: "The ticket JSON file; stdin when omitted or '-'.")
    var file: String?

    func bytes() throws -> [UInt8] {
        guard let file, file != "-" else { return Array(FileHandle.standardInput.readDataToEndOfFile()) }
        guard let data = FileManager.default.contents(atPath: file) else { throw CLIError("cannot read \(file)") }
        return Array(data)
    }

    /// The ticket, or a clear error naming the field.
    func ticket(requireSignature: Bool) throws -> SignedTicket {
        let bytes = try bytes()
        do { return try SignedTicket(json: try JSONParser.parse(bytes), requireSignature: requireSignature) } catch {
            throw CLIError("malformed ticket: \(error)")
        }
    }
}

struct TicketHashCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash", abstract: "Print the ticket's hash (keccak256 of its fields, as TicketBroker computes it).")
    @OptionGroup var input: TicketInput

    func run() throws { print(try input.ticket(requireSignature: false).ticket.hash.hex) }
}

struct TicketSignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign", abstract: "Sign the ticket with a keystore's key (the ticket's sender); prints it with `sig`.")
    @Option(help: "The keystore v3 file of the sender.")
    var keystore: String
    @OptionGroup var password: PasswordOptions
    @OptionGroup var input: TicketInput

    func run() throws {
        var signed = try input.ticket(requireSignature: false)
        let key = try password.key(inKeystore: keystore)
        guard key.address == signed.ticket.sender else {
            throw CLIError("the ticket's sender \(signed.ticket.sender.checksummed) is not the keystore's address \(key.address.checksummed)")
        }
        signed.sig = try key.signMessage(signed.ticket.hash.bytes).bytes
        // The CLI form writes every integer as a decimal string, as go-livepeer's JSON does.
        guard case .object(let fields) = signed.json else { return }
        let document = JSONValue.object(fields.mapValues { value in value.integerValue.map { .string(String($0)) } ?? value })
        print(PrettyJSON.render(document), terminator: "")
    }
}

struct TicketVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Print {hash, signer, valid, winning, ev, reasons} for a signed ticket; exit 1 when not valid.",
        discussion: "winning is null unless the JSON carries recipientRand (decimal).")
    @OptionGroup var input: TicketInput

    func run() throws {
        let inspection = TicketInspection.inspect(json: try input.bytes())
        print(inspection.json.description)
        if !inspection.valid { throw ExitCode(1) }
    }
}
