internal import CFFmpeg
internal import CLMDB
internal import COpenSSL
internal import CRdKafka
internal import CSecp256k1

/// The versions of the C libraries this build links, read from the libraries themselves at run time.
/// Proves every shim links and loads; `streamflow version` prints it for operators.
public enum NativeLibraries {
    /// One linked library: its name and the version it reports.
    public struct Library: Sendable, Equatable {
        public let name: String
        public let version: String
    }

    /// Every linked C library, in a fixed order.
    public static func versions() -> [Library] {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        let lmdb = String(cString: mdb_version(&major, &minor, &patch))
        return [
            Library(name: "lmdb", version: "\(major).\(minor).\(patch) (\(lmdb))"),
            Library(name: "libsecp256k1", version: secp256k1Probe()),
            Library(name: "librdkafka", version: String(cString: rd_kafka_version_str())),
            Library(name: "libavcodec", version: dotted(avcodec_version())),
            Library(name: "libavformat", version: dotted(avformat_version())),
            Library(name: "libavutil", version: dotted(avutil_version())),
            Library(name: "libswscale", version: dotted(swscale_version())),
            Library(name: "openssl", version: String(cString: OpenSSL_version(0))),
        ]
    }

    /// librdkafka's numeric version (0xMMmmrrxx), to tell Debian's 2.0.2 from a newer one.
    public static var rdkafkaVersionNumber: Int { Int(rd_kafka_version()) }

    /// Whether libavcodec has an encoder of this name (e.g. "libx264", "h264_nvenc").
    public static func hasEncoder(named name: String) -> Bool { avcodec_find_encoder_by_name(name) != nil }

    private static func dotted(_ version: UInt32) -> String {
        "\(version >> 16).\((version >> 8) & 0xFF).\(version & 0xFF)"
    }

    /// libsecp256k1 exports no version call; create and destroy a context to show it works.
    private static func secp256k1Probe() -> String {
        guard let context = secp256k1_context_create(sf_secp256k1_context_none()) else { return "unavailable" }
        secp256k1_context_destroy(context)
        return "linked (recovery module present)"
    }
}
