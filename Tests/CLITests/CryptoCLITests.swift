import Foundation
import Testing
import TestSupport

/// The operator commands `keys`, `sign` and `recover`, run as a user runs them, checked with eth-account.
@Suite("streamflow keys / sign / recover")
struct CryptoCLITests {
    /// A fresh directory with a password file in it.
    static func workspace(password: String = "correct horse") throws -> (directory: URL, passwordFile: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sf-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let passwordFile = directory.appendingPathComponent("password.txt").path
        try Data((password + "\n").utf8).write(to: URL(fileURLWithPath: passwordFile))
        return (directory, passwordFile)
    }

    /// Creates a key with `keys new --light` and returns (address, keystore path).
    static func newKey(in directory: URL, passwordFile: String) throws -> (address: String, file: String) {
        let outcome = try StreamflowExecutable.run([
            "keys", "new", "--keystore", directory.appendingPathComponent("keys").path, "--password-file", passwordFile,
            "--light",
        ])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let lines = outcome.stdout.split(separator: "\n").map(String.init)
        let address = try #require(lines.first { $0.hasPrefix("address: ") }).dropFirst("address: ".count)
        let file = try #require(lines.first { $0.hasPrefix("file: ") }).dropFirst("file: ".count)
        return (String(address), String(file))
    }

    @Test("keys new writes a 0600 keystore that eth-account opens with the same address")
    func keysNew() throws {
        let (directory, passwordFile) = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (address, file) = try Self.newKey(in: directory, passwordFile: passwordFile)
        #expect(URL(fileURLWithPath: file).lastPathComponent.hasPrefix("UTC--"))
        #expect(URL(fileURLWithPath: file).lastPathComponent.hasSuffix(String(address.dropFirst(2)).lowercased()))
        let attributes = try FileManager.default.attributesOfItem(atPath: file)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let script = """
            import sys, json
            from eth_account import Account
            a = json.load(sys.stdin)
            print(Account.from_key(Account.decrypt(json.load(open(a[0])), a[1])).address)
            """
        let output = try PythonOracle.run(script: script, input: JSONEncoder().encode([file, "correct horse"]))
        #expect(String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) == address)

        let shown = try StreamflowExecutable.run(["keys", "show", file])
        #expect(shown.status == 0 && shown.stdout.contains("address: \(address)"))
        let opened = try StreamflowExecutable.run(["keys", "show", file, "--password-file", passwordFile])
        #expect(opened.stdout.contains("opens: yes"))
    }

    @Test("password from STREAMFLOW_PASSWORD; none at all is a clear error")
    func passwordSources() throws {
        let (directory, _) = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let keys = directory.appendingPathComponent("env").path
        let fromEnvironment = try StreamflowExecutable.run(
            ["keys", "new", "--keystore", keys, "--light"], environment: ["STREAMFLOW_PASSWORD": "from env"])
        #expect(fromEnvironment.status == 0, "\(fromEnvironment.stderr)")
        let file = try #require(try FileManager.default.contentsOfDirectory(atPath: keys).first)
        let opened = try StreamflowExecutable.run(
            ["keys", "show", keys + "/" + file], environment: ["STREAMFLOW_PASSWORD": "from env"])
        #expect(opened.stdout.contains("opens: yes"))
        let wrong = try StreamflowExecutable.run(
            ["keys", "show", keys + "/" + file], environment: ["STREAMFLOW_PASSWORD": "not it"])
        #expect(wrong.status == 1 && wrong.stderr.contains("wrong password"))

        let none = try StreamflowExecutable.run(["keys", "new", "--keystore", keys, "--light"])
        #expect(none.status == 1 && none.exitedNormally)
        #expect(none.stderr.contains("no password"))
        // An empty password is refused unless asked for; a directory the command makes is the owner's alone.
        let fresh = directory.appendingPathComponent("fresh").path
        let empty = try StreamflowExecutable.run(["keys", "new", "--keystore", fresh, "--light"], environment: ["STREAMFLOW_PASSWORD": ""])
        #expect(empty.status == 1 && empty.stderr.contains("the password is empty"), "\(empty.stderr)")
        #expect(!FileManager.default.fileExists(atPath: fresh), "nothing written for a refused key")
        let allowed = try StreamflowExecutable.run(["keys", "new", "--keystore", fresh, "--light", "--allow-empty-password"],
                                                   environment: ["STREAMFLOW_PASSWORD": ""])
        #expect(allowed.status == 0, "\(allowed.stderr)")
        let mode = try FileManager.default.attributesOfItem(atPath: fresh)[.posixPermissions] as? Int
        #expect(mode == 0o700)
    }

    @Test("interactive prompt: the password is read twice from the terminal without echo")
    func interactivePrompt() throws {
        let (directory, _) = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let keys = directory.appendingPathComponent("tty").path
        // A pseudo-terminal driven by Python's standard library plays the operator.
        let script = """
            import os, pty, sys, json, time, signal
            binary, keys = json.load(sys.stdin)
            pid, fd = pty.fork()
            if pid != 0:
                def give_up(*_):
                    os.kill(pid, signal.SIGKILL)
                    print(json.dumps({"status": -1, "out": "timed out waiting for the prompt"}))
                    os._exit(0)
                signal.signal(signal.SIGALRM, give_up)
                signal.alarm(30)
            if pid == 0:
                os.execv(binary, [binary, "keys", "new", "--keystore", keys, "--light"])
            out = b""
            def read_until(token):
                global out
                while token not in out:
                    out += os.read(fd, 1024)
            read_until(b"Password: "); os.write(fd, b"typed secret\\n")
            read_until(b"Repeat password: "); os.write(fd, b"typed secret\\n")
            try:
                while True:
                    chunk = os.read(fd, 1024)
                    if not chunk: break
                    out += chunk
            except OSError:
                pass
            _, status = os.waitpid(pid, 0)
            print(json.dumps({"status": os.waitstatus_to_exitcode(status), "out": out.decode()}))
            """
        struct Result: Decodable { let status: Int; let out: String }
        let result = try PythonOracle.json(
            script: script, input: [StreamflowExecutable.path, keys], as: Result.self)
        #expect(result.status == 0, "\(result.out)")
        #expect(!result.out.contains("typed secret"), "the password must not be echoed")
        let file = try #require(try FileManager.default.contentsOfDirectory(atPath: keys).first)
        let opened = try StreamflowExecutable.run(
            ["keys", "show", keys + "/" + file], environment: ["STREAMFLOW_PASSWORD": "typed secret"])
        #expect(opened.stdout.contains("opens: yes"))
    }

    @Test("sign prints a signature eth-account recovers; recover prints the signer")
    func signAndRecover() throws {
        let (directory, passwordFile) = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (address, file) = try Self.newKey(in: directory, passwordFile: passwordFile)
        let message = "0x" + String(repeating: "ab", count: 32)
        let signed = try StreamflowExecutable.run(
            ["sign", "--keystore", file, "--password-file", passwordFile, "--message", message])
        #expect(signed.status == 0, "\(signed.stderr)")
        let signature = signed.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(signature.count == 132 && signature.hasPrefix("0x"))
        let script = """
            import sys, json
            from eth_account import Account
            from eth_account.messages import encode_defunct
            m, s = json.load(sys.stdin)
            print(Account.recover_message(encode_defunct(primitive=bytes.fromhex(m[2:])), signature=bytes.fromhex(s[2:])))
            """
        let python = try PythonOracle.run(script: script, input: JSONEncoder().encode([message, signature]))
        #expect(String(decoding: python, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) == address)
        let recovered = try StreamflowExecutable.run(["recover", "--message", message, "--sig", signature])
        #expect(recovered.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == address)
        #expect(try StreamflowExecutable.run(["recover", "--message", message, "--sig", signature]).status == 0)
    }

    @Test("bad input exits 1 with a reason, never a crash", arguments: [
        (["recover", "--message", "0xzz", "--sig", "0x00"], "invalid hex"),
        (["recover", "--message", "0x01", "--sig", "0x" + String(repeating: "11", count: 64)], "must be 65 bytes"),
        (["recover", "--message", "0x01", "--sig", "0x" + String(repeating: "11", count: 64) + "1d"], "V must be 27 or 28"),
        (["recover", "--message", "0x01", "--sig",
          "0xe742ff452d41413616a5bf43fe15dd88294e983d3d36206c2712f39083d638bde0a0fc89be718fbc1033e1d30d78be1c68081562ed2e97af876f286f3453231d1b"],
         "high-S"),
        (["keys", "show", "/nonexistent/keystore.json"], "cannot read"),
        (["sign", "--keystore", "/dev/null", "--message", "0x01"], "malformed keystore JSON"),
    ])
    func badInput(arguments: [String], reason: String) throws {
        let outcome = try StreamflowExecutable.run(arguments, environment: ["STREAMFLOW_PASSWORD": "x"])
        #expect(outcome.exitedNormally)
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains(reason), "\(outcome.stderr)")
    }
}
