import Foundation

/// A strict, single-pass RFC 8259 JSON parser working directly on raw bytes.
///
/// It refuses what Foundation lets through or quietly changes: trailing content, `NaN`/`Infinity`,
/// leading zeros, invalid escapes and lone surrogates, invalid UTF-8 anywhere, numbers that overflow
/// a `Double` (`1e309` is an error, not infinity), nesting deeper than `maxDepth`, a UTF-8 byte order
/// mark, and duplicate keys within one object (the error names the key). Every error carries the
/// byte offset of the problem. The parser never traps, whatever the input, and uses no recursion,
/// so hostile nesting cannot exhaust the stack.
///
/// ```swift
/// let root = try JSONParser.parse(responseBody)          // JSONNode
/// for record in root["data"]?.array ?? [] { ... }
/// ```
public enum JSONParser {
    /// Deepest nesting of arrays and objects accepted by default.
    public static let defaultMaxDepth = 512

    /// Parses a complete JSON document (any value at the top level, per RFC 8259).
    public static func parse(_ data: Data, maxDepth: Int = defaultMaxDepth) throws -> JSONNode {
        try data.withUnsafeBytes { try parse(bytes: $0, maxDepth: maxDepth) }
    }

    /// Parses JSON text held in a `String`.
    public static func parse(_ text: String, maxDepth: Int = defaultMaxDepth) throws -> JSONNode {
        var text = text
        return try text.withUTF8 { try parse(bytes: UnsafeRawBufferPointer($0), maxDepth: maxDepth) }
    }

    /// Parses the bytes of a JSON document; the buffer is only read during the call.
    public static func parse(bytes: UnsafeRawBufferPointer, maxDepth: Int = defaultMaxDepth) throws -> JSONNode {
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            throw JSONParseError(.emptyDocument, offset: 0, message: "the document is empty")
        }
        var reader = JSONByteReader(base: base, count: bytes.count, maxDepth: max(0, maxDepth))
        return try reader.parseDocument()
    }
}
