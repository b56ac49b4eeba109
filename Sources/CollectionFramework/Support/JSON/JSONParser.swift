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

    /// Parses a document whose records sit in one big array under a top-level key, keeping only
    /// one record at a time: each element of the array under `key` is handed to `element` (with its
    /// index) as soon as it is parsed, and the returned root holds an empty array in its place.
    ///
    /// The document is checked exactly as ``parse(_:maxDepth:)`` checks it, with the same errors;
    /// memory stays at one element's tree instead of the whole document's. When the document is not
    /// an object, or `key` is missing or not an array, nothing is streamed and `streamedCount` is nil.
    /// An error thrown by `element` stops the parse and is rethrown.
    ///
    /// ```swift
    /// let document = try JSONParser.parse(body, streamingArrayAt: "data") { index, record in
    ///     check(record, index)
    /// }
    /// let recordCount = document.streamedCount ?? 0
    /// ```
    public static func parse(_ data: Data, streamingArrayAt key: String, maxDepth: Int = defaultMaxDepth,
                             element: (_ index: Int, _ node: JSONNode) throws -> Void) throws -> JSONStreamedDocument {
        try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) throws -> JSONStreamedDocument in
            guard let base = bytes.baseAddress, bytes.count > 0 else {
                throw JSONParseError(.emptyDocument, offset: 0, message: "the document is empty")
            }
            var reader = JSONByteReader(base: base, count: bytes.count, maxDepth: max(0, maxDepth))
            let (root, streamed) = try reader.parseDocument(streamingArrayAt: key, element: element)
            return JSONStreamedDocument(root: root, streamedCount: streamed)
        }
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

/// What ``JSONParser/parse(_:streamingArrayAt:maxDepth:element:)`` returns: the document with the
/// streamed array left empty, and how many elements were streamed.
public struct JSONStreamedDocument: Sendable, Equatable {
    /// The whole document, except that the streamed array is `.array([])`.
    public var root: JSONNode
    /// Elements handed out, or nil when no array was streamed.
    public var streamedCount: Int?

    public init(root: JSONNode, streamedCount: Int?) {
        self.root = root
        self.streamedCount = streamedCount
    }
}
