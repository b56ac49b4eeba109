import CollectionFramework
import Foundation
import TestSupport
import XCTest

/// Everything RFC 8259 forbids is refused, with the right kind, byte offset and a message.
final class JSONParserRejectionTests: XCTestCase {
    private func assertRejects(_ bytes: [UInt8], _ kind: JSONParseError.Kind, at offset: Int, mentioning words: [String] = [],
                               file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try JSONParser.parse(Data(bytes)), file: file, line: line) { error in
            guard let error = error as? JSONParseError else { return XCTFail("not a JSONParseError: \(error)", file: file, line: line) }
            XCTAssertEqual(error.kind, kind, error.description, file: file, line: line)
            XCTAssertEqual(error.offset, offset, error.description, file: file, line: line)
            XCTAssertFalse(error.message.isEmpty, file: file, line: line)
            XCTAssertTrue(error.description.contains("byte \(offset)"), error.description, file: file, line: line)
            for word in words { XCTAssertTrue(error.message.contains(word), "\(error.message) lacks \(word)", file: file, line: line) }
        }
    }

    private func assertRejects(_ text: String, _ kind: JSONParseError.Kind, at offset: Int, mentioning words: [String] = [],
                               file: StaticString = #filePath, line: UInt = #line) {
        assertRejects(Array(text.utf8), kind, at: offset, mentioning: words, file: file, line: line)
    }

    func testEmptyAndWhitespaceOnly() {
        assertRejects("", .emptyDocument, at: 0)
        assertRejects(" \n\t ", .emptyDocument, at: 4)
    }

    func testTrailingGarbage() {
        assertRejects("{} x", .trailingCharacters, at: 3, mentioning: ["'x'"])
        assertRejects("1 2", .trailingCharacters, at: 2)
        assertRejects("[1]]", .trailingCharacters, at: 3)
        assertRejects("{}\u{0}", .trailingCharacters, at: 2, mentioning: ["0x00"])
    }

    func testNaNInfinityAndBareWords() {
        assertRejects("[NaN]", .unexpectedCharacter, at: 1)
        assertRejects("[Infinity]", .unexpectedCharacter, at: 1)
        assertRejects("[-Infinity]", .unexpectedCharacter, at: 2)
        assertRejects("[nan]", .invalidLiteral, at: 2, mentioning: ["null"])
        assertRejects("[tru]", .invalidLiteral, at: 4)
        assertRejects("[True]", .unexpectedCharacter, at: 1)
        assertRejects("[nul", .unexpectedEnd, at: 4)
    }

    func testNumberGrammar() {
        assertRejects("[01]", .invalidNumber, at: 1, mentioning: ["leading zeros"])
        assertRejects("[-01]", .invalidNumber, at: 1, mentioning: ["leading zeros"])
        assertRejects("[1.]", .invalidNumber, at: 1, mentioning: ["decimal point"])
        assertRejects("[.5]", .unexpectedCharacter, at: 1)
        assertRejects("[+1]", .unexpectedCharacter, at: 1)
        assertRejects("[1e]", .invalidNumber, at: 1, mentioning: ["exponent"])
        assertRejects("[1e+]", .invalidNumber, at: 1)
        assertRejects("[-]", .unexpectedCharacter, at: 2)
        assertRejects("-", .unexpectedEnd, at: 1)
        assertRejects("[0x10]", .unexpectedCharacter, at: 2)
    }

    func testNumbersThatOverflowAreErrorsNotInfinity() {
        assertRejects("[1e309]", .numberOutOfRange, at: 1, mentioning: ["1e309"])
        assertRejects("[-1e309]", .numberOutOfRange, at: 1)
        assertRejects("1.8e308", .numberOutOfRange, at: 0)
        assertRejects("[" + String(repeating: "9", count: 400) + "]", .numberOutOfRange, at: 1)
        assertRejects("[1e99999999999999999999]", .numberOutOfRange, at: 1)
        XCTAssertEqual(try JSONParser.parse("1e-99999999999999999999").number, 0)
    }

    func testStringProblems() {
        assertRejects(#"["a\x"]"#, .invalidEscape, at: 3, mentioning: ["\\x"])
        assertRejects(#"["\u12G4"]"#, .invalidEscape, at: 6, mentioning: ["hex"])
        assertRejects(#"["\ud800"]"#, .invalidEscape, at: 2, mentioning: ["high surrogate"])
        assertRejects(#"["\ud800\u0041"]"#, .invalidEscape, at: 2, mentioning: ["not a low surrogate"])
        assertRejects(#"["\udc00"]"#, .invalidEscape, at: 2, mentioning: ["low surrogate"])
        assertRejects("[\"a\nb\"]", .controlCharacterInString, at: 3, mentioning: ["0x0A"])
        assertRejects("[\"a\tb\"]", .controlCharacterInString, at: 3)
        assertRejects("[\"abc", .unexpectedEnd, at: 5, mentioning: ["byte 1"])
        assertRejects("[\"abc\\", .unexpectedEnd, at: 6)
        assertRejects("'a'", .unexpectedCharacter, at: 0)
    }

    func testInvalidUTF8InStringsAndElsewhere() {
        assertRejects([0x22, 0xFF, 0x22], .invalidUTF8, at: 1, mentioning: ["0xFF"])
        assertRejects([0x22, 0xC0, 0xAF, 0x22], .invalidUTF8, at: 1)            // overlong '/'
        assertRejects([0x22, 0xE0, 0x80, 0xAF, 0x22], .invalidUTF8, at: 2)      // overlong 3-byte
        assertRejects([0x22, 0xED, 0xA0, 0x80, 0x22], .invalidUTF8, at: 2)      // encoded surrogate
        assertRejects([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], .invalidUTF8, at: 2) // above U+10FFFF
        assertRejects([0x22, 0xE4, 0xB8, 0x22], .invalidUTF8, at: 3)            // truncated sequence
        assertRejects([0x22, 0x61, 0x80, 0x22], .invalidUTF8, at: 2)            // stray continuation byte
        assertRejects([0x22, 0xE4], .invalidUTF8, at: 1)                        // ends inside a character
        assertRejects([0x22, 0x5C, 0x6E, 0xFF, 0x22], .invalidUTF8, at: 3)      // after an escape (slow path)
        assertRejects([0x5B, 0xC3, 0xA9, 0x5D], .unexpectedCharacter, at: 1)    // non-ASCII outside a string
        assertRejects([0xEF, 0xBB, 0xBF, 0x7B, 0x7D], .unexpectedCharacter, at: 0, mentioning: ["byte order mark"])
    }

    func testStructureProblems() {
        assertRejects("{\"a\" 1}", .unexpectedCharacter, at: 5, mentioning: ["':'"])
        assertRejects("{\"a\": 1,}", .unexpectedCharacter, at: 8, mentioning: ["key"])
        assertRejects("[1,]", .unexpectedCharacter, at: 3)
        assertRejects("[1 2]", .unexpectedCharacter, at: 3, mentioning: ["','"])
        assertRejects("{a: 1}", .unexpectedCharacter, at: 1)
        assertRejects("{\"a\": 1", .unexpectedEnd, at: 7)
        assertRejects("[", .unexpectedEnd, at: 1)
        assertRejects("[1, /* c */ 2]", .unexpectedCharacter, at: 4)
        assertRejects("\u{0B}1", .unexpectedCharacter, at: 0)   // vertical tab is not JSON whitespace
    }

    func testDuplicateKeysNameTheKey() {
        assertRejects(#"{"a": 1, "b": 2, "a": 3}"#, .duplicateKey("a"), at: 17, mentioning: ["\"a\""])
        assertRejects(#"{"data": [], "metadata": {"x": {"q": 1, "q": 1}}}"#, .duplicateKey("q"), at: 40)
        // Equal after unescaping counts as the same key.
        assertRejects(#"{"ab": 1, "a\u0062": 2}"#, .duplicateKey("ab"), at: 10)
    }

    func testNestingDeeperThanTheLimit() {
        let limit = JSONParser.defaultMaxDepth
        assertRejects(String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1), .tooDeep, at: limit,
                      mentioning: ["\(limit)"])
        assertRejects(String(repeating: "{\"a\":", count: limit) + "{}" + String(repeating: "}", count: limit), .tooDeep,
                      at: 5 * limit, mentioning: ["\(limit)"])
        // Far deeper than any stack could recurse: still a clean error.
        let hostile = String(repeating: "[", count: 1_000_000)
        XCTAssertThrowsError(try JSONParser.parse(hostile)) { error in
            XCTAssertEqual((error as? JSONParseError)?.kind, .tooDeep)
        }
    }

    func testEveryPrefixOfAValidDocumentIsRejected() throws {
        let text = #"{"a": [1, -2.5e3, "x\u00e9y", true, null, {"b": false}], "c": "😀"}"#
        let bytes = Array(text.utf8)
        XCTAssertNoThrow(try JSONParser.parse(Data(bytes)))
        for length in 0..<bytes.count {
            XCTAssertThrowsError(try JSONParser.parse(Data(bytes[0..<length])), "prefix of \(length) bytes was accepted")
        }
    }

    func testAcceptedMutationsAreAlsoAcceptedByFoundation() throws {
        let seed = Array(#"{"a": [1, -2.5e3, "x\u00e9y", true, null, {"b": false}], "c": "😀", "d": 0.5}"#.utf8)
        var rng = SplitMix64(seed: 99)
        let alphabet = Array("{}[]\",:.-+eE0123456789 tfnul\\".utf8) + [0x00, 0x80, 0xC3, 0xFF]
        var accepted = 0
        for _ in 0..<5_000 {
            var bytes = seed
            for _ in 0..<Int(rng.next() % 3) + 1 {
                let at = Int(rng.next() % UInt64(bytes.count))
                switch rng.next() % 3 {
                case 0: bytes[at] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                case 1: bytes.remove(at: at)
                default: bytes.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: at)
                }
                if bytes.isEmpty { bytes = [0x30] }
            }
            if (try? JSONParser.parse(Data(bytes))) != nil {
                accepted += 1
                XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]),
                                 String(decoding: bytes, as: UTF8.self))
            }
        }
        XCTAssertGreaterThan(accepted, 0, "the mutations should leave some documents valid")
    }
}
