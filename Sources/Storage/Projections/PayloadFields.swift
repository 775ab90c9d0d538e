import EthCrypto
import JSONCore

/// Reads payload fields the way projections need them: missing or mistyped fields read as absent
/// (events were schema-checked on the way in; a fold must never fail).
extension JSONValue {
    func int(_ key: String) -> Int64? { self[key]?.integerValue }
    func text(_ key: String) -> String? { self[key]?.stringValue }
    func amount(_ key: String) -> UInt256 { (try? UInt256(decimal: self[key]?.stringValue ?? "0")) ?? .zero }
}

extension UInt256 {
    /// Adds for a running total; a sum past 2²⁵⁶−1 (more wei than exist) pins at max rather than wrap.
    func accumulating(_ other: UInt256) -> UInt256 { (try? self + other) ?? .max }
}
