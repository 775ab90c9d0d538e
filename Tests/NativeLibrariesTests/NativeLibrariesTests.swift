import Testing
@testable import NativeLibraries

@Suite("linked C libraries")
struct NativeLibrariesTests {
    @Test("every shim links and reports a version")
    func versions() {
        let libraries = NativeLibraries.versions()
        #expect(libraries.map(\.name) == [
            "lmdb", "libsecp256k1", "librdkafka", "libavcodec", "libavformat", "libavutil", "libswscale", "openssl",
        ])
        for library in libraries { #expect(!library.version.isEmpty && library.version != "unavailable", "\(library.name)") }
        #expect(libraries[0].version.hasPrefix("0.9."))
        #expect(libraries[7].version.hasPrefix("OpenSSL 3."))
    }

    @Test("libavcodec has the libx264 encoder; an unknown name is absent")
    func encoders() {
        #expect(NativeLibraries.hasEncoder(named: "libx264"))
        #expect(!NativeLibraries.hasEncoder(named: "no-such-encoder"))
    }
}
