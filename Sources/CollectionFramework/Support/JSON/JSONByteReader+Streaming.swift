/// Streaming one array of a top-level object: its elements are parsed one at a time and handed
/// to the caller instead of being kept, so a document of a million records never exists as a tree.
///
/// Every byte is checked exactly as ``parseDocument()`` checks it, in the same order, with the same
/// errors (kind, offset, message): the two differ only in what they keep.
extension JSONByteReader {
    /// Parses the whole document. When it is an object, the member `key` whose value is an array
    /// is streamed: each element goes to `element` (with its index) and the returned root holds an
    /// empty array in its place; the element count is returned beside the root (nil when nothing
    /// was streamed). Any other document is parsed as a whole.
    mutating func parseDocument(streamingArrayAt key: String,
                                element: (Int, JSONNode) throws -> Void) throws -> (root: JSONNode, streamed: Int?) {
        if count >= 3, byte(0) == 0xEF, byte(1) == 0xBB, byte(2) == 0xBF {
            throw JSONParseError(.unexpectedCharacter, offset: 0,
                                 message: "a UTF-8 byte order mark is not allowed; remove the first three bytes (EF BB BF)")
        }
        skipWhitespace()
        guard index < count else {
            throw JSONParseError(.emptyDocument, offset: index, message: "the document holds only whitespace")
        }
        var streamed: Int?
        let root: JSONNode
        if byte(index) == UInt8(ascii: "{") {
            root = try parseRootObject(streamingArrayAt: key, streamed: &streamed, element: element)
        } else {
            root = try parseTree()
        }
        skipWhitespace()
        if index < count {
            throw JSONParseError(.trailingCharacters, offset: index,
                                 message: "unexpected \(describe(byte(index))) after the end of the top-level value")
        }
        return (root, streamed)
    }

    /// The top-level object at `index`, member by member (the same steps as ``parseTree()``).
    private mutating func parseRootObject(streamingArrayAt key: String, streamed: inout Int?,
                                          element: (Int, JSONNode) throws -> Void) throws -> JSONNode {
        try checkDepth(0)
        index += 1
        skipWhitespace()
        if index < count, byte(index) == UInt8(ascii: "}") {
            index += 1
            return .object([])
        }
        var frame = Frame(isObject: true, start: openMembers.count)
        frame.pendingKey = try parseKey().key
        while true {
            let value: JSONNode
            skipWhitespace()
            if frame.pendingKey == key, index < count, byte(index) == UInt8(ascii: "[") {
                streamed = try streamArray(element)
                value = .array([])
            } else {
                depthOffset = 1
                value = try parseTree()
                depthOffset = 0
            }
            skipWhitespace()
            openMembers.append(JSONMember(frame.pendingKey, value))
            guard index < count else { throw endOfInput(expecting: "',' or '}' to continue the object") }
            let c = byte(index)
            if c == UInt8(ascii: ",") {
                index += 1
                skipWhitespace()
                let (nextKey, keyOffset) = try parseKey()
                try rememberKey(nextKey, at: keyOffset, in: &frame)
                frame.pendingKey = nextKey
            } else if c == UInt8(ascii: "}") {
                index += 1
                return .object(closeObject(frame))
            } else {
                throw unexpected(c, expecting: "',' or '}' after an object member")
            }
        }
    }

    /// The array at `index` (inside the root object); returns how many elements it had.
    private mutating func streamArray(_ element: (Int, JSONNode) throws -> Void) throws -> Int {
        try checkDepth(1)
        index += 1
        skipWhitespace()
        if index < count, byte(index) == UInt8(ascii: "]") {
            index += 1
            return 0
        }
        var n = 0
        depthOffset = 2
        defer { depthOffset = 0 }
        while true {
            try element(n, try parseTree())
            n += 1
            skipWhitespace()
            guard index < count else { throw endOfInput(expecting: "',' or ']' to continue the array") }
            let c = byte(index)
            if c == UInt8(ascii: ",") {
                index += 1
            } else if c == UInt8(ascii: "]") {
                index += 1
                return n
            } else {
                throw unexpected(c, expecting: "',' or ']' after an array element")
            }
        }
    }
}
