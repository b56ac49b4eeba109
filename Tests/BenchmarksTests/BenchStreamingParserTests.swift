import Benchmarks
import CollectionFramework
import XCTest

/// The streaming parse the validator uses for large payloads: same verdicts and same errors as the
/// tree parse, with the records handed out one at a time.
final class BenchStreamingParserTests: XCTestCase {
    func stream(_ text: String, key: String = "data", maxDepth: Int = JSONParser.defaultMaxDepth) throws -> (JSONStreamedDocument, [JSONNode]) {
        var elements: [JSONNode] = []
        let document = try JSONParser.parse(Data(text.utf8), streamingArrayAt: key, maxDepth: maxDepth) { index, node in
            XCTAssertEqual(index, elements.count)
            elements.append(node)
        }
        return (document, elements)
    }

    func testElementsComeOutInOrderAndTheRootKeepsEverythingElse() throws {
        let text = #" {"head": {"a": [1, 2]}, "data": [ {"x": 1}, [true], "s", null ], "metadata": {"d": "2025-01-20"}} "#
        let (document, elements) = try stream(text)
        let tree = try JSONParser.parse(text)
        XCTAssertEqual(elements, tree["data"]?.array)
        XCTAssertEqual(document.streamedCount, 4)
        XCTAssertEqual(document.root.keys, ["head", "data", "metadata"])
        XCTAssertEqual(document.root["data"], .array([]))
        XCTAssertEqual(document.root["head"], tree["head"])
        XCTAssertEqual(document.root["metadata"], tree["metadata"])
    }

    func testNothingIsStreamedWhenTheKeyIsMissingOrNotAnArrayOrTheRootIsNoObject() throws {
        for text in [#"{"other": [1]}"#, #"{"data": {"x": [1]}}"#, #"{"data": "[1]"}"#, "[1, 2]", "3", "{}", #"{"data": []}"#] {
            let (document, elements) = try stream(text)
            XCTAssertEqual(elements, [], text)
            if text == #"{"data": []}"# {
                XCTAssertEqual(document.streamedCount, 0)
            } else {
                XCTAssertNil(document.streamedCount, text)
                XCTAssertEqual(document.root, try JSONParser.parse(text), text)
            }
        }
    }

    /// Every way the tree parse refuses a document, the streaming parse refuses it identically.
    func assertSameVerdict(_ bytes: [UInt8], maxDepth: Int = JSONParser.defaultMaxDepth, file: StaticString = #filePath, line: UInt = #line) {
        let data = Data(bytes)
        var treeError: JSONParseError?
        var treeRoot: JSONNode?
        var thrown: [String] = ["", ""]   // every error, whatever its type: a non-JSONParseError must not compare as nil == nil
        do { treeRoot = try JSONParser.parse(data, maxDepth: maxDepth) } catch { treeError = error as? JSONParseError; thrown[0] = String(reflecting: error) }
        var streamError: JSONParseError?
        var streamed: [JSONNode] = []
        var document: JSONStreamedDocument?
        do {
            document = try JSONParser.parse(data, streamingArrayAt: "data", maxDepth: maxDepth) { _, node in streamed.append(node) }
        } catch { streamError = error as? JSONParseError; thrown[1] = String(reflecting: error) }
        let text = String(decoding: bytes.prefix(120), as: UTF8.self)
        XCTAssertEqual(treeError, streamError, "different errors for \(text)", file: file, line: line)
        XCTAssertEqual(treeError?.message, streamError?.message, "different messages for \(text)", file: file, line: line)
        XCTAssertEqual(thrown[0], thrown[1], "different errors thrown for \(text)", file: file, line: line)
        XCTAssertEqual(treeRoot == nil, document == nil, "one parser accepted what the other refused: \(text)", file: file, line: line)
        if let treeRoot, let document {
            if document.streamedCount != nil {
                XCTAssertEqual(treeRoot["data"]?.array, streamed, file: file, line: line)
            } else {
                XCTAssertEqual(treeRoot, document.root, file: file, line: line)
            }
        }
    }

    func testEveryTruncationAndManyMutationsGetTheSameVerdictAsTheTreeParse() {
        let valid = Array(BenchmarkPayload.documentedCTS(nodes: 2, intervals: 2))
        for length in 0...valid.count { assertSameVerdict(Array(valid[0..<length])) }
        let replacements: [UInt8] = Array(#"{}[]",:0-.e" \tnx"#.utf8) + [0x00, 0xC3, 0xFF, UInt8(ascii: "\\")]
        var state: UInt64 = 99
        for _ in 0..<3000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            var bytes = valid
            let position = Int(state >> 33) % bytes.count
            bytes[position] = replacements[Int(state >> 20) % replacements.count]
            if state & 1 == 0 { bytes.insert(replacements[Int(state >> 8) % replacements.count], at: Int(state >> 40) % bytes.count) }
            assertSameVerdict(bytes)
        }
    }

    func testDuplicateKeysDepthLimitsAndTrailingBytesAreRefusedAlike() {
        for text in [
            #"{"data": [1], "data": [2]}"#, #"{"a": 1, "data": [], "a": 2}"#, #"{"data": [{"k": 1, "k": 2}]}"#,
            #"{"data": [1]} x"#, #"{"data": [1,]}"#, #"{"data": [1] "x": 2}"#, "\u{FEFF}{\"data\": []}", "  ", "",
            #"{"data": [[[[1]]]]}"#, #"{"m": [[[[1]]]], "data": [1]}"#,
        ] {
            for depth in [0, 1, 2, 3, 4, 5, 512] { assertSameVerdict(Array(text.utf8), maxDepth: depth) }
        }
    }

    func testAnErrorFromTheElementHandlerStopsTheParse() {
        struct Enough: Error {}
        var seen = 0
        XCTAssertThrowsError(try JSONParser.parse(Data(#"{"data": [1, 2, 3]}"#.utf8), streamingArrayAt: "data") { index, _ in
            seen += 1
            if index == 1 { throw Enough() }
        }) { XCTAssertTrue($0 is Enough) }
        XCTAssertEqual(seen, 2)
    }
}
