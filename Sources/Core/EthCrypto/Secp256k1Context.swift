internal import CSecp256k1

/// Owns the process's one libsecp256k1 context, randomized at creation against side channels.
/// The only place a `secp256k1_context` is created and destroyed.
final class Secp256k1Context: @unchecked Sendable {
    // @unchecked: after creation and randomization the context is only read; libsecp256k1
    // documents signing, verification and recovery on a const context as thread-safe.
    let raw: OpaquePointer

    /// The shared context used by every key, signature and recovery in the process.
    static let shared = Secp256k1Context()

    private init() {
        guard let context = secp256k1_context_create(sf_secp256k1_context_none()) else {
            fatalError("secp256k1_context_create failed: out of memory")
        }
        raw = context
        if var seed = try? SecureRandom.bytes(32) {
            _ = secp256k1_context_randomize(context, &seed)
            SecureRandom.wipe(&seed)
        }
    }

    deinit { secp256k1_context_destroy(raw) }
}
