import CollectionFramework
import Foundation
import TestSupport
import XCTest

/// What the strict parser accepts and the tree it builds.
final class JSONParserTests: XCTestCase {
    func testParsesEveryKindOfValueInDocumentOrder() throws {
        let node = try JSONParser.parse(#" {"b": [1, -2.5, 3e2, true, false, null], "a": {"x": "y"}, "s": ""} "#)
        XCTAssertEqual(node, .object([
            JSONMember("b", .array([.number(1), .number(-2.5), .number(300), .bool(true), .bool(false), .null])),
            JSONMember("a", .object([JSONMember("x", .string("y"))])),
            JSONMember("s", .string("")),
        ]))
        XCTAssertEqual(node.keys, ["b", "a", "s"])
        XCTAssertEqual(node["b"]?[1]?.number, -2.5)
        XCTAssertEqual(node["a"]?["x"]?.string, "y")
        XCTAssertEqual(node.value(at: ["a", "x"]), .string("y"))
        XCTAssertNil(node["b"]?[6])
        XCTAssertNil(node["missing"])
        XCTAssertNil(node["b"]?["x"])
        XCTAssertTrue(node["b"]?[5]?.isNull ?? false)
        XCTAssertEqual(node["b"]?[3]?.bool, true)
        XCTAssertEqual(node["b"]?.kindName, "array")
    }

    func testTopLevelScalarsAndEmptyContainers() throws {
        XCTAssertEqual(try JSONParser.parse("42"), .number(42))
        XCTAssertEqual(try JSONParser.parse("\"x\""), .string("x"))
        XCTAssertEqual(try JSONParser.parse("null"), .null)
        XCTAssertEqual(try JSONParser.parse("[ ]"), .array([]))
        XCTAssertEqual(try JSONParser.parse("{\n}"), .object([]))
        XCTAssertEqual(try JSONParser.parse("[[[]],{}]"), .array([.array([.array([])]), .object([])]))
    }

    func testStringEscapesAndUnicode() throws {
        let text = #"["a\"b\\c\/d\b\f\n\r\t", "\u00e9\u4E2D\ud83d\ude00", "é中😀", "plain", "\u0000"]"#
        let node = try JSONParser.parse(text)
        XCTAssertEqual(node[0]?.string, "a\"b\\c/d\u{08}\u{0C}\n\r\t")
        XCTAssertEqual(node[1]?.string, "é中😀")
        XCTAssertEqual(node[2]?.string, "é中😀")
        XCTAssertEqual(node[3]?.string, "plain")
        XCTAssertEqual(node[4]?.string, "\u{0}")
        // DEL (0x7F) is not a control character in JSON's sense.
        XCTAssertEqual(try JSONParser.parse(Data([0x22, 0x7F, 0x22])).string, "\u{7F}")
    }

    func testNumbersAreConvertedExactly() throws {
        let cases = ["0", "-0", "1", "-1", "45.50", "0.1", "0.30000000000000004", "1e22", "1e23", "123456789012345678901234567890",
                     "2.2250738585072014e-308", "4.9e-324", "1.7976931348623157e308", "9007199254740993", "0.000001234",
                     "1E+2", "1e-2", "-0.0", "3.141592653589793238462643383279", "1e-400", "100000000000000000000000e-10"]
        for text in cases {
            let parsed = try JSONParser.parse(text).number
            let expected = Double(text)!
            XCTAssertEqual(parsed?.bitPattern, expected.bitPattern, "\(text): got \(String(describing: parsed)), want \(expected)")
        }
    }

    func testRandomNumbersMatchTheStandardLibrary() throws {
        var rng = SplitMix64(seed: 42)
        for _ in 0..<20_000 {
            let digits = Int(rng.next() % 20) + 1
            var text = rng.next() % 2 == 0 ? "-" : ""
            text += String(Int(rng.next() % 9) + 1)
            for _ in 1..<digits { text += String(rng.next() % 10) }
            if rng.next() % 2 == 0 {
                let at = Int(rng.next() % UInt64(text.count)) + 1
                if at < text.count, text.last != "-" { text.insert(".", at: text.index(text.startIndex, offsetBy: at)) }
            }
            if text.hasPrefix("-.") || text.hasSuffix(".") || text.contains("-.") { continue }
            if rng.next() % 3 == 0 { text += "e" + String(Int(rng.next() % 80) - 40) }
            let expected = Double(text)!
            let parsed = try JSONParser.parse(text).number
            XCTAssertEqual(parsed?.bitPattern, expected.bitPattern, text)
        }
    }

    func testLargeObjectsStillFindDuplicates() throws {
        let members = (0..<40).map { "\"k\($0)\": \($0)" }
        XCTAssertEqual(try JSONParser.parse("{" + members.joined(separator: ",") + "}").keys?.count, 40)
        let duplicated = members + ["\"k7\": 0"]
        XCTAssertThrowsError(try JSONParser.parse("{" + duplicated.joined(separator: ",") + "}")) { error in
            XCTAssertEqual((error as? JSONParseError)?.kind, .duplicateKey("k7"))
        }
    }

    func testSameKeyInDifferentObjectsIsFine() throws {
        let node = try JSONParser.parse(#"{"a": {"a": 1}, "b": [{"a": 2}, {"a": 3}]}"#)
        XCTAssertEqual(node["b"]?[1]?["a"]?.number, 3)
    }

    func testNestingUpToTheLimitIsAccepted() throws {
        let depth = JSONParser.defaultMaxDepth
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        var node = try JSONParser.parse(text)
        var levels = 1
        while case .array(let items) = node, let first = items.first {
            node = first
            levels += 1
        }
        XCTAssertEqual(levels, depth)
        XCTAssertNoThrow(try JSONParser.parse("[[1]]", maxDepth: 2))
        XCTAssertThrowsError(try JSONParser.parse("[[1]]", maxDepth: 1))
    }

    func testAgreesWithFoundationOnGeneratedDocuments() throws {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<300 {
            let value = randomFoundationValue(&rng, depth: 0)
            let data = try JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed])
            let node = try JSONParser.parse(data)
            XCTAssertTrue(matches(node, value), String(decoding: data, as: UTF8.self))
        }
    }

    // MARK: - Helpers

    private func randomFoundationValue(_ rng: inout SplitMix64, depth: Int) -> Any {
        let pick = depth > 4 ? rng.next() % 4 : rng.next() % 6
        switch pick {
        case 0: return NSNull()
        case 1: return rng.next() % 2 == 0
        case 2: return Double(Int64(bitPattern: rng.next()) % 1_000_000) / 100
        case 3:
            let alphabet = Array("abcXYZ09 é中😀\"\\/\n\t\u{1}")
            return String((0..<Int(rng.next() % 12)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
        case 4: return (0..<Int(rng.next() % 5)).map { _ in randomFoundationValue(&rng, depth: depth + 1) }
        default:
            var object: [String: Any] = [:]
            for i in 0..<Int(rng.next() % 5) { object["key\(i)_\(rng.next() % 100)"] = randomFoundationValue(&rng, depth: depth + 1) }
            return object
        }
    }

    private func matches(_ node: JSONNode, _ value: Any) -> Bool {
        switch (node, value) {
        case (.null, is NSNull): return true
        case (.bool(let b), let n as Bool): return b == n
        case (.number(let d), let n as Double): return d == n
        case (.number(let d), let n as Int): return d == Double(n)
        case (.string(let s), let t as String): return s == t
        case (.array(let items), let array as [Any]):
            return items.count == array.count && zip(items, array).allSatisfy { matches($0, $1) }
        case (.object(let members), let object as [String: Any]):
            return members.count == object.count && members.allSatisfy { m in object[m.key].map { matches(m.value, $0) } ?? false }
        default: return false
        }
    }
}
