import ArgumentParser
import EthCrypto
import Foundation

/// Where a keystore password comes from: `--password-file`, then `STREAMFLOW_PASSWORD`, then a prompt.
struct PasswordOptions: ParsableArguments {
    @Option(name: .long, help: "File whose first line is the keystore password.")
    var passwordFile: String?

    /// Resolves the password; `confirm` asks twice at an interactive prompt (for new keys).
    func password(confirm: Bool = false) throws -> String {
        if let passwordFile {
            guard let data = FileManager.default.contents(atPath: passwordFile) else {
                throw CLIError("cannot read password file \(passwordFile)")
            }
            let text = String(decoding: data, as: UTF8.self)
            return String(text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
                .trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
        }
        if let fromEnvironment = ProcessInfo.processInfo.environment["STREAMFLOW_PASSWORD"] { return fromEnvironment }
        guard isatty(STDIN_FILENO) == 1 else {
            throw CLIError("no password: give --password-file, set STREAMFLOW_PASSWORD, or run at a terminal")
        }
        let first = try TerminalPrompt.readSecret("Password: ")
        if confirm {
            guard try TerminalPrompt.readSecret("Repeat password: ") == first else { throw CLIError("passwords do not match") }
        }
        return first
    }

    /// The key in the keystore v3 file at `path`, opened with this password.
    func key(inKeystore path: String) throws -> PrivateKey {
        try Keystore.decrypt(json: try readText(path), password: try password())
    }

    /// Whether any non-interactive password source is present.
    var isGiven: Bool { passwordFile != nil || ProcessInfo.processInfo.environment["STREAMFLOW_PASSWORD"] != nil }
}

/// Reads a line from the terminal with echo turned off.
enum TerminalPrompt {
    static func readSecret(_ prompt: String) throws -> String {
        // Echo goes off before the prompt appears, and without flushing, so nothing typed is lost.
        var original = termios()
        tcgetattr(STDIN_FILENO, &original)
        var silent = original
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSANOW, &silent)
        defer {
            tcsetattr(STDIN_FILENO, TCSANOW, &original)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        FileHandle.standardError.write(Data(prompt.utf8))
        guard let line = readLine(strippingNewline: true) else { throw CLIError("no password entered") }
        return line
    }
}
