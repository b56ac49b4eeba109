import Benchmarks
import CollectionFramework
import TestSupport
import XCTest

/// The streaming rows' cheap validator: what it refuses, that it never refuses what the strict
/// parser accepts, and that how the bytes are cut into chunks never changes its verdict.
final class BenchStreamingCheckTests: XCTestCase {
    /// The check's verdict on `bytes` fed in pieces of `chunk` bytes.
    func verdict(_ bytes: [UInt8], chunk: Int = .max) -> ValidationResult {
        var check = JSONShapeCheck()
        var offset = 0
        while offset < bytes.count {
            let end = offset + min(chunk, bytes.count - offset)
            if let failure = check.consume(Data(bytes[offset..<end])) { return .invalid(failure) }
            offset = end
        }
        return check.finish()
    }

    func testAcceptsTheBenchmarkPayloadAndCountsItsRecords() {
        let payload = Array(BenchmarkPayload.documentedCTS(nodes: 7, intervals: 11))
        XCTAssertEqual(verdict(payload), .valid(ValidationReport(recordCount: 77, shape: "json")))
        XCTAssertEqual(verdict(payload, chunk: 1), verdict(payload))
        XCTAssertEqual(verdict(Array(#" {"data": [], "x": [[{}]], "s": "é \" ] 😀"} "#.utf8)),
                       .valid(ValidationReport(recordCount: 0, shape: "json")), "only objects in a member array count")
        XCTAssertEqual(verdict(Array(#"[{"a": [{"b": 1}]}, {}]"#.utf8)), .valid(ValidationReport(recordCount: 0, shape: "json")))
    }

    func testRefusesWhatItChecksAndSaysWhere() {
        let cases: [(String, [UInt8], Int)] = [
            (JSONShapeCheck.utf8Rule, Array(#"{"a": ""#.utf8) + [0xC0, 0xAF] + Array(#""}"#.utf8), 7),     // overlong
            (JSONShapeCheck.utf8Rule, Array(#"{"a": ""#.utf8) + [0xED, 0xA0, 0x80] + Array(#""}"#.utf8), 8),  // surrogate
            (JSONShapeCheck.utf8Rule, Array(#"{"a": ""#.utf8) + [0xF4, 0x90, 0x80, 0x80] + Array(#""}"#.utf8), 8),  // past U+10FFFF
            (JSONShapeCheck.utf8Rule, Array(#"{"a": ""#.utf8) + [0xE2, 0x82] + Array(#""}"#.utf8), 9),     // cut short
            (JSONShapeCheck.utf8Rule, Array(#"{"a": ""#.utf8) + [0xFF], 7),
            (JSONShapeCheck.structureRule, Array(#"{"a": [1}"#.utf8), 8),
            (JSONShapeCheck.structureRule, Array(#"{"a": 1}}"#.utf8), 8),
            (JSONShapeCheck.structureRule, Array(#"{"a": 1} x"#.utf8), 9),
            (JSONShapeCheck.structureRule, Array("{\"a\": \"\u{1}\"}".utf8), 7),
            (JSONShapeCheck.structureRule, Array(#"x{}"#.utf8), 0),
            (JSONShapeCheck.structureRule, Array(#""s""#.utf8), 0),
            (JSONShapeCheck.structureRule, [0xEF, 0xBB, 0xBF] + Array("{}".utf8), 0),   // a BOM, as the strict parser refuses it
        ]
        for (rule, bytes, offset) in cases {
            let failure = verdict(bytes).failure
            XCTAssertEqual(failure?.rule, rule, "\(bytes)")
            XCTAssertEqual(failure?.values["offset"], String(offset), "\(bytes)")
        }
        for text in ["", "   ", #"{"a": [1, 2]"#, #"{"a": "open"#] {
            XCTAssertEqual(verdict(Array(text.utf8)).failure?.rule, JSONShapeCheck.structureRule, text)
        }
        let deep = Array(repeating: UInt8(ascii: "["), count: JSONShapeCheck.maxDepth + 1)
        XCTAssertEqual(verdict(deep).failure?.rule, JSONShapeCheck.structureRule)
        XCTAssertTrue(verdict(Array(repeating: UInt8(ascii: "["), count: JSONShapeCheck.maxDepth)
                              + Array(repeating: UInt8(ascii: "]"), count: JSONShapeCheck.maxDepth)).isValid)
    }

    /// Weaker than the strict parser, never stricter: whatever it accepts whole it accepts in any
    /// chunking, and it accepts everything the parser accepts.
    func testNeverRefusesWhatTheStrictParserAcceptsAndChunkingNeverMatters() {
        let valid = Array(BenchmarkPayload.documentedCTS(nodes: 2, intervals: 2))
        let replacements: [UInt8] = Array(#"{}[]",:0-.e" \tnx\"#.utf8) + [0x00, 0x7F, 0xC3, 0xA9, 0xE2, 0xF0, 0x9F, 0xFF]
        var random = SplitMix64(seed: 11)
        var parserAccepted = 0
        for _ in 0..<3000 {
            var bytes = valid
            for _ in 0..<Int(random.next() % 3 + 1) {
                let position = Int(random.next() % UInt64(bytes.count))
                let byte = replacements[Int(random.next() % UInt64(replacements.count))]
                if random.next() & 1 == 0 { bytes[position] = byte } else { bytes.insert(byte, at: position) }
            }
            let whole = verdict(bytes)
            if (try? JSONParser.parse(Data(bytes))) != nil {
                parserAccepted += 1
                XCTAssertTrue(whole.isValid, "refused what the parser accepts: \(String(decoding: bytes, as: UTF8.self))")
            }
            for chunk in [1, 2, 3, 7, 64] { XCTAssertEqual(verdict(bytes, chunk: chunk), whole, "chunks of \(chunk)") }
        }
        XCTAssertGreaterThan(parserAccepted, 50, "the mutations include documents the parser accepts")
    }
}
