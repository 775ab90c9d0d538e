import Foundation
import Testing
import TestSupport
@testable import Edge

/// The edge's TLS policy, checked with another TLS stack (Python's `ssl`, OpenSSL): 1.2 and later only, and on 1.2
/// only ECDHE key exchanges with AEAD ciphers.
@Suite("edge TLS policy")
struct TLSPolicyTests {
    /// Connects with the given version range and TLS 1.2 cipher list; prints "ok VERSION CIPHER" or "refused ERROR".
    static let client = """
    import socket, ssl, sys
    port, low, high, ciphers = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.minimum_version = getattr(ssl.TLSVersion, low)
    context.maximum_version = getattr(ssl.TLSVersion, high)
    context.set_ciphers(ciphers)
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            with context.wrap_socket(raw) as tls:
                print("ok", tls.version(), tls.cipher()[0])
    except (ssl.SSLError, OSError) as error:
        print("refused", error)
    """

    static func connect(_ port: Int, _ low: String, _ high: String, _ ciphers: String) async throws -> String {
        let output = try await OffPool.run { try PythonOracle.run(script: client, arguments: ["\(port)", low, high, ciphers]) }
        return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("a TLS 1.1 client and a TLS 1.2 client offering only non-AEAD (CBC) suites are refused by the server; ECDHE + GCM and TLS 1.3 are served")
    func versionsAndCiphers() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sf-tls-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let orchestrator = try TestOrchestrator(directory: directory)
        let url = try await orchestrator.edge.start()
        defer { orchestrator.edge.stop() }
        let port = try #require(URL(string: url)?.port)
        // @SECLEVEL=0 lets this client offer what OpenSSL 3 would otherwise not send: the refusal must be the server's.
        let old = try await Self.connect(port, "TLSv1_1", "TLSv1_1", "DEFAULT:@SECLEVEL=0")
        #expect(old.hasPrefix("refused") && old.uppercased().contains("PROTOCOL_VERSION"), "\(old)")
        let cbc = try await Self.connect(port, "TLSv1_2", "TLSv1_2", "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384:ECDHE-ECDSA-AES128-SHA256:@SECLEVEL=0")
        #expect(cbc.hasPrefix("refused") && cbc.uppercased().contains("HANDSHAKE_FAILURE"), "\(cbc)")
        let gcm = try await Self.connect(port, "TLSv1_2", "TLSv1_2", "ECDHE-ECDSA-AES128-GCM-SHA256")
        #expect(gcm == "ok TLSv1.2 ECDHE-ECDSA-AES128-GCM-SHA256", "\(gcm)")
        let modern = try await Self.connect(port, "TLSv1_3", "TLSv1_3", "DEFAULT")
        #expect(modern.hasPrefix("ok TLSv1.3"), "\(modern)")
    }
}
