import CollectionFramework
import Foundation

/// A cheap validator that judges a JSON payload as it streams in, one byte at a time and never
/// holding more than a stack of open brackets: the benchmark's stand-in for a collector with a
/// streaming validator (its cost hides behind the download).
///
/// What it checks, and nothing more:
/// - the bytes are well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF,
///   no sequence cut off at the end);
/// - strings hold no raw control characters and end before the payload does;
/// - brackets and braces outside strings nest and match, at most ``maxDepth`` deep; the payload is
///   one object or array with only whitespace after it.
///
/// It does not check numbers, literals, commas, colons or keys. The record count it reports is the
/// number of objects directly inside an array that is a member of the root object (the records of
/// `{"data": [{…}, {…}]}`).
package struct JSONShapeCheck: StreamingValidator {
    package static let utf8Rule = "stream_utf8"
    package static let structureRule = "stream_structure"
    package static let maxDepth = 512

    /// Open containers, innermost last: `{` or `[`.
    private var stack: [UInt8] = []
    private var inString = false
    private var escaped = false
    /// Continuation bytes still due in the current UTF-8 sequence, and the range the next one must fall in.
    private var pendingContinuations = 0
    private var nextLow: UInt8 = 0x80
    private var nextHigh: UInt8 = 0xBF
    private var rootOpened = false
    private var rootClosed = false
    private var offset = 0
    package private(set) var recordCount = 0

    package init() {}

    package mutating func consume(_ chunk: Data) -> ValidationFailure? {
        chunk.withUnsafeBytes { raw in
            for byte in raw {
                if let failure = step(byte) { return failure }
                offset += 1
            }
            return nil
        }
    }

    package mutating func finish() -> ValidationResult {
        if pendingContinuations > 0 {
            return .invalid(failure(Self.utf8Rule, "the payload ends inside a UTF-8 sequence"))
        }
        if inString { return .invalid(failure(Self.structureRule, "the payload ends inside a string")) }
        if !rootOpened { return .invalid(failure(Self.structureRule, "the payload holds no JSON object or array")) }
        if !rootClosed {
            return .invalid(failure(Self.structureRule, "the payload ends with \(stack.count) bracket(s) still open"))
        }
        return .valid(ValidationReport(recordCount: recordCount, shape: "json"))
    }

    private mutating func step(_ byte: UInt8) -> ValidationFailure? {
        if pendingContinuations > 0 {
            guard byte >= nextLow, byte <= nextHigh else {
                return failure(Self.utf8Rule, "invalid UTF-8 continuation byte", byte: byte)
            }
            pendingContinuations -= 1
            nextLow = 0x80
            nextHigh = 0xBF
            return nil
        }
        if byte >= 0x80 { return startSequence(byte) }
        if inString {
            if escaped {
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == UInt8(ascii: "\"") {
                inString = false
            } else if byte < 0x20 {
                return failure(Self.structureRule, "raw control character inside a string", byte: byte)
            }
            return nil
        }
        switch byte {
        case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
            return nil
        case _ where rootClosed:
            return failure(Self.structureRule, "bytes after the end of the JSON value", byte: byte)
        case UInt8(ascii: "\""):
            if !rootOpened { return failure(Self.structureRule, "the payload does not start with an object or array", byte: byte) }
            inString = true
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            guard stack.count < Self.maxDepth else {
                return failure(Self.structureRule, "nested deeper than \(Self.maxDepth) levels")
            }
            if byte == UInt8(ascii: "{"), stack.count == 2, stack[0] == UInt8(ascii: "{"), stack[1] == UInt8(ascii: "[") {
                recordCount += 1
            }
            rootOpened = true
            stack.append(byte)
        case UInt8(ascii: "}"), UInt8(ascii: "]"):
            let opener = byte == UInt8(ascii: "}") ? UInt8(ascii: "{") : UInt8(ascii: "[")
            guard stack.last == opener else {
                return failure(Self.structureRule, stack.isEmpty ? "a closing bracket with nothing open" : "mismatched closing bracket",
                               byte: byte)
            }
            stack.removeLast()
            if stack.isEmpty { rootClosed = true }
        default:
            if !rootOpened { return failure(Self.structureRule, "the payload does not start with an object or array", byte: byte) }
        }
        return nil
    }

    /// The lead byte of a multi-byte sequence (Unicode table 3-7 of well-formed UTF-8).
    private mutating func startSequence(_ byte: UInt8) -> ValidationFailure? {
        switch byte {
        case 0xC2...0xDF: pendingContinuations = 1
        case 0xE0: pendingContinuations = 2; nextLow = 0xA0
        case 0xE1...0xEC, 0xEE, 0xEF: pendingContinuations = 2
        case 0xED: pendingContinuations = 2; nextHigh = 0x9F
        case 0xF0: pendingContinuations = 3; nextLow = 0x90
        case 0xF1...0xF3: pendingContinuations = 3
        case 0xF4: pendingContinuations = 3; nextHigh = 0x8F
        default: return failure(Self.utf8Rule, "invalid UTF-8 lead byte", byte: byte)
        }
        if !inString { return failure(Self.structureRule, "non-ASCII byte outside a string", byte: byte) }
        return nil
    }

    private func failure(_ rule: String, _ reason: String, byte: UInt8? = nil) -> ValidationFailure {
        var values = ["offset": String(offset)]
        if let byte { values["byte"] = String(format: "0x%02X", byte) }
        return ValidationFailure(rule: rule, reason: reason, values: values)
    }
}
