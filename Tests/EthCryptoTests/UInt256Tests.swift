import Foundation
import Testing
import TestSupport
@testable import EthCrypto

@Suite("UInt256")
struct UInt256Tests {
    static let maxDecimal = "115792089237316195423570985008687907853269984665640564039457584007913129639935"

    @Test("constants, parsing and printing round-trip")
    func roundTrips() throws {
        #expect(UInt256.max.description == Self.maxDecimal)
        #expect(try UInt256(decimal: Self.maxDecimal) == .max)
        #expect(UInt256.zero.description == "0" && UInt256.zero.hexString == "0x0")
        #expect(try UInt256(hex: "0xff").description == "255")
        #expect(try UInt256(hex: "0x" + String(repeating: "f", count: 64)) == .max)
        #expect(try UInt256(hex: "0x" + String(repeating: "0", count: 10) + "1") == .one)
        #expect(UInt256(UInt64(1) << 63).description == "9223372036854775808")
        #expect(try UInt256(decimal: "10000000000000000000").description == "10000000000000000000")
        #expect(try UInt256(bigEndian: [1, 0]) == UInt256(256))
        #expect(UInt256(256).minimalBigEndianBytes == [1, 0])
        #expect(UInt256.zero.minimalBigEndianBytes == [])
        #expect(try UInt256(bigEndian: [0, 0] + UInt256.max.bigEndianBytes) == .max)
        let encoded = try JSONEncoder().encode([UInt256.max])
        #expect(String(decoding: encoded, as: UTF8.self) == "[\"\(Self.maxDecimal)\"]")
        #expect(try JSONDecoder().decode([UInt256].self, from: encoded) == [.max])
    }

    @Test("Livepeer's winProb vectors: EV · ceil(maxWinProb / faceValue)")
    func winProbVectors() throws {
        func winProb(ev: UInt64, faceValue: UInt64) throws -> UInt256 {
            let divisor = UInt256(faceValue)
            let (quotient, remainder) = try UInt256.max.quotientAndRemainder(dividingBy: divisor)
            let ceiling = remainder.isZero ? quotient : try quotient + .one
            return try UInt256(ev) * ceiling
        }
        #expect(try winProb(ev: 5, faceValue: 100_000_000).description
            == "5789604461865809771178549250434395392663499233282028201972879200395660")
        #expect(try winProb(ev: 5, faceValue: 777_000_000).description
            == "745122839364969082519761808292714979750772102095499125093034646125570")
        #expect(try UInt256.mulDiv(UInt256(5), .max, UInt256(100_000_000), rounding: .up)
            <= (try winProb(ev: 5, faceValue: 100_000_000)))
    }

    @Test("every refusal is a typed error, never a wrap or a crash")
    func errors() throws {
        #expect(throws: UInt256Error.overflow(operation: "addition")) { try UInt256.max + .one }
        #expect(throws: UInt256Error.underflow(operation: "subtraction")) { try UInt256.zero - .one }
        #expect(throws: UInt256Error.overflow(operation: "multiplication")) { try UInt256.max * UInt256(2) }
        #expect(throws: UInt256Error.divisionByZero) { try UInt256.one / .zero }
        #expect(throws: UInt256Error.divisionByZero) { try UInt256.one % .zero }
        #expect(throws: UInt256Error.divisionByZero) { try UInt256.mulDiv(.one, .one, .zero) }
        #expect(throws: UInt256Error.overflow(operation: "mulDiv")) { try UInt256.mulDiv(.max, .max, UInt256(3)) }
        #expect(throws: UInt256Error.overflow(operation: "mulDiv")) { try UInt256.mulDiv(.max, UInt256(2), .one) }
        #expect(try UInt256.mulDiv(.max, UInt256(3), UInt256(3), rounding: .up) == .max)
        #expect(throws: UInt256Error.overflow(operation: "mulDiv")) {
            try UInt256.mulDiv(.max, UInt256(3), UInt256(2), rounding: .up)
        }
        #expect(throws: UInt256Error.overflow(operation: "parse")) { try UInt256(decimal: Self.maxDecimal.dropLast() + "6") }
        #expect(throws: UInt256Error.overflow(operation: "parse")) { try UInt256(decimal: Self.maxDecimal + "0") }
        #expect(throws: UInt256Error.overflow(operation: "parse")) { try UInt256(hex: "0x1" + String(repeating: "0", count: 64)) }
        #expect(throws: UInt256Error.overflow(operation: "parse")) { try UInt256(bigEndian: [1] + [UInt8](repeating: 0, count: 32)) }
        #expect(throws: UInt256Error.empty) { try UInt256(decimal: "") }
        #expect(throws: UInt256Error.empty) { try UInt256(hex: "0x") }
        #expect(throws: UInt256Error.invalidDigit(character: "x", position: 2)) { try UInt256(decimal: "12x4") }
        #expect(throws: UInt256Error.invalidDigit(character: "-", position: 0)) { try UInt256(decimal: "-1") }
        #expect(throws: UInt256Error.invalidDigit(character: "g", position: 3)) { try UInt256(hex: "0x1g") }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([UInt256].self, from: Data("[\"1e3\"]".utf8)) }
    }

    /// Random operands of every bit length, checked against Python's arbitrary-precision integers.
    @Test("2,000 random operand pairs agree with Python's integers on every operation")
    func crossCheck() throws {
        var generator = SystemRandomNumberGenerator()
        func random() -> UInt256 {
            let bits = Int.random(in: 0...256, using: &generator)
            let value = UInt256(limbs: (generator.next(), generator.next(), generator.next(), generator.next()))
            let edges: [UInt256] = [.zero, .one, .max, UInt256(UInt64.max), UInt256.one << 128, (UInt256.one << 255)]
            if Int.random(in: 0..<10, using: &generator) == 0 { return edges.randomElement(using: &generator)! }
            return bits == 256 ? value : value >> (256 - bits)
        }
        struct Case: Codable { let a: String; let b: String; let c: String; let shift: Int }
        let cases = (0..<2_000).map { _ in
            Case(a: random().description, b: random().description, c: random().description, shift: Int.random(in: 0...300, using: &generator))
        }
        let script = """
            import sys, json
            M = (1 << 256) - 1
            def s(x): return None if x is None else str(x)
            out = []
            for c in json.load(sys.stdin):
                a, b, d, k = int(c["a"]), int(c["b"]), int(c["c"]), c["shift"]
                add = a + b; sub = a - b; mul = a * b
                md_down = None if d == 0 else a * b // d
                md_up = None if d == 0 else -((-a * b) // d)
                out.append([s(add if add <= M else None), s(sub if sub >= 0 else None), s(mul if mul <= M else None),
                            s(None if b == 0 else a // b), s(None if b == 0 else a % b),
                            s(md_down if md_down is not None and md_down <= M else None),
                            s(md_up if md_up is not None and md_up <= M else None),
                            s(mul >> 256), s(mul & M), s((a << k) & M), s(a >> k)])
            json.dump(out, sys.stdout)
            """
        let expected = try PythonOracle.json(script: script, input: cases, as: [[String?]].self)
        #expect(expected.count == cases.count)
        for (item, want) in zip(cases, expected) {
            let a = try UInt256(decimal: item.a), b = try UInt256(decimal: item.b), c = try UInt256(decimal: item.c)
            let full = a.multipliedFullWidth(by: b)
            let got: [String?] = [
                (try? a + b)?.description, (try? a - b)?.description, (try? a * b)?.description,
                (try? a / b)?.description, (try? a % b)?.description,
                (try? UInt256.mulDiv(a, b, c))?.description, (try? UInt256.mulDiv(a, b, c, rounding: .up))?.description,
                full.high.description, full.low.description, (a << item.shift).description, (a >> item.shift).description,
            ]
            #expect(got == want, "a=\(item.a) b=\(item.b) c=\(item.c) shift=\(item.shift)")
        }
    }
}
