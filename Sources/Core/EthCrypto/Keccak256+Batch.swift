import CKeccak

extension Keccak256 {
    /// Whether this CPU absorbs eight messages at once (AVX-512F).
    static let absorbsEightAtOnce = sf_keccak_x8_supported() != 0

    /// One sponge per message, each having absorbed its whole message (ready for more input or
    /// `finalize`). Messages with the same number of full blocks are absorbed eight at a time
    /// where the CPU allows; the result is the same as `update` on each.
    public static func absorbing(_ messages: [[UInt8]]) -> [Keccak256] {
        var sponges = [Keccak256](repeating: Keccak256(), count: messages.count)
        var byBlocks: [Int: [Int]] = [:]
        for index in messages.indices {
            let blocks = messages[index].count / rate
            if absorbsEightAtOnce, blocks > 0 { byBlocks[blocks, default: []].append(index) } else { sponges[index].update(messages[index]) }
        }
        var states = [UInt64](repeating: 0, count: 8 * 25)
        var scratch: [UInt8] = []
        for (blocks, members) in byBlocks {
            var start = 0
            while start < members.count {
                let group = members[start..<min(start + 8, members.count)]
                start += group.count
                guard group.count >= 3 else {  // too few to pay for the transposition
                    for index in group { sponges[index].update(messages[index]) }
                    continue
                }
                let span = blocks * rate
                scratch.removeAll(keepingCapacity: true)
                for index in group { scratch.append(contentsOf: messages[index][0..<span]) }
                scratch.append(contentsOf: repeatElement(0, count: span * (8 - group.count)))
                states.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
                scratch.withUnsafeBufferPointer { bytes in
                    let base = bytes.baseAddress!
                    let pointers: [UnsafePointer<UInt8>?] = (0..<8).map { base + $0 * span }
                    states.withUnsafeMutableBufferPointer { sf_keccak_absorb_x8($0.baseAddress!, pointers, blocks) }
                }
                for (slot, index) in group.enumerated() {
                    states.withUnsafeBytes { lanes in
                        withUnsafeMutableBytes(of: &sponges[index].state) { state in
                            state.copyMemory(from: UnsafeRawBufferPointer(rebasing: lanes[(200 * slot)..<(200 * slot + 200)]))
                        }
                    }
                    messages[index].withUnsafeBytes { sponges[index].update(UnsafeRawBufferPointer(rebasing: $0[span...])) }
                }
            }
        }
        return sponges
    }
}
