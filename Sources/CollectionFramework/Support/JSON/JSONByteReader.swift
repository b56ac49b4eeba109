/// The parser's cursor over the document bytes. Builds the tree without recursion: open arrays and
/// objects wait on an explicit stack of ``Frame``s.
struct JSONByteReader {
    let base: UnsafeRawPointer
    let count: Int
    let maxDepth: Int
    var index = 0
    /// Containers already open around the value ``parseTree()`` starts on (when streaming elements).
    var depthOffset = 0

    init(base: UnsafeRawPointer, count: Int, maxDepth: Int) {
        self.base = base
        self.count = count
        self.maxDepth = maxDepth
    }

    /// Members of every open object, innermost last: a closing object takes its own range off
    /// the end as one exactly sized array, so building a tree costs one allocation per container
    /// instead of one per growth step.
    var openMembers: [JSONMember] = []
    /// Elements of every open array, innermost last (as ``openMembers``).
    var openItems: [JSONNode] = []

    /// An array or object still being filled.
    struct Frame {
        var isObject: Bool
        /// Where this container's members (or elements) start in ``openMembers`` (``openItems``).
        var start: Int
        /// Key of the member whose value is being parsed.
        var pendingKey = ""
        /// Keys seen so far, built once an object grows past a few members.
        var keySet: Set<String>?
    }

    /// Objects with at most this many members check duplicates by a linear scan.
    static let linearKeyCheckLimit = 12

    @inline(__always) func byte(_ i: Int) -> UInt8 {
        base.load(fromByteOffset: i, as: UInt8.self)
    }

    mutating func parseDocument() throws -> JSONNode {
        if count >= 3, byte(0) == 0xEF, byte(1) == 0xBB, byte(2) == 0xBF {
            throw JSONParseError(.unexpectedCharacter, offset: 0,
                                 message: "a UTF-8 byte order mark is not allowed; remove the first three bytes (EF BB BF)")
        }
        skipWhitespace()
        guard index < count else {
            throw JSONParseError(.emptyDocument, offset: index, message: "the document holds only whitespace")
        }
        let root = try parseTree()
        skipWhitespace()
        if index < count {
            throw JSONParseError(.trailingCharacters, offset: index,
                                 message: "unexpected \(describe(byte(index))) after the end of the top-level value")
        }
        return root
    }

    @inline(__always) mutating func skipWhitespace() {
        while index < count {
            let b = byte(index)
            guard b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 else { return }
            index += 1
        }
    }

    // MARK: - Values and containers

    mutating func parseTree() throws -> JSONNode {
        var stack: [Frame] = []
        var value: JSONNode
        nextValue: while true {
            skipWhitespace()
            guard index < count else { throw endOfInput(expecting: "a value") }
            let c = byte(index)
            switch c {
            case UInt8(ascii: "{"):
                try checkDepth(depthOffset + stack.count)
                index += 1
                skipWhitespace()
                if index < count, byte(index) == UInt8(ascii: "}") {
                    index += 1
                    value = .object([])
                } else {
                    var frame = Frame(isObject: true, start: openMembers.count)
                    frame.pendingKey = try parseKey().key
                    stack.append(frame)
                    continue nextValue
                }
            case UInt8(ascii: "["):
                try checkDepth(depthOffset + stack.count)
                index += 1
                skipWhitespace()
                if index < count, byte(index) == UInt8(ascii: "]") {
                    index += 1
                    value = .array([])
                } else {
                    stack.append(Frame(isObject: false, start: openItems.count))
                    continue nextValue
                }
            case UInt8(ascii: "\""):
                index += 1
                value = .string(try parseStringBody())
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                value = .number(try parseNumber())
            case UInt8(ascii: "t"):
                try expectLiteral("true")
                value = .bool(true)
            case UInt8(ascii: "f"):
                try expectLiteral("false")
                value = .bool(false)
            case UInt8(ascii: "n"):
                try expectLiteral("null")
                value = .null
            default:
                var error = unexpected(c, expecting: "a value (object, array, string, number, true, false or null)")
                if c == UInt8(ascii: "N") || c == UInt8(ascii: "I") { error.message += "; NaN and Infinity are not allowed in JSON" }
                throw error
            }

            // Hand the finished value to the container it belongs to; close containers as they end.
            while let top = stack.indices.last {
                skipWhitespace()
                if stack[top].isObject {
                    openMembers.append(JSONMember(stack[top].pendingKey, value))
                    guard index < count else { throw endOfInput(expecting: "',' or '}' to continue the object") }
                    let c = byte(index)
                    if c == UInt8(ascii: ",") {
                        index += 1
                        skipWhitespace()
                        let (key, keyOffset) = try parseKey()
                        try rememberKey(key, at: keyOffset, in: &stack[top])
                        stack[top].pendingKey = key
                        continue nextValue
                    } else if c == UInt8(ascii: "}") {
                        index += 1
                        value = .object(closeObject(stack.removeLast()))
                    } else {
                        throw unexpected(c, expecting: "',' or '}' after an object member")
                    }
                } else {
                    openItems.append(value)
                    guard index < count else { throw endOfInput(expecting: "',' or ']' to continue the array") }
                    let c = byte(index)
                    if c == UInt8(ascii: ",") {
                        index += 1
                        continue nextValue
                    } else if c == UInt8(ascii: "]") {
                        index += 1
                        value = .array(closeArray(stack.removeLast()))
                    } else {
                        throw unexpected(c, expecting: "',' or ']' after an array element")
                    }
                }
            }
            return value
        }
    }

    func checkDepth(_ depth: Int) throws {
        guard depth < maxDepth else {
            throw JSONParseError(.tooDeep, offset: index,
                                 message: "arrays and objects are nested deeper than the limit of \(maxDepth)")
        }
    }

    /// Parses `"key"` and the `:` after it; returns the key and the offset of its opening quote.
    mutating func parseKey() throws -> (key: String, offset: Int) {
        let offset = index
        guard index < count else { throw endOfInput(expecting: "a quoted object key") }
        guard byte(index) == UInt8(ascii: "\"") else {
            throw unexpected(byte(index), expecting: "a quoted object key (or '}' right after '{')")
        }
        index += 1
        let key = try parseStringBody()
        skipWhitespace()
        guard index < count else { throw endOfInput(expecting: "':' after an object key") }
        guard byte(index) == UInt8(ascii: ":") else { throw unexpected(byte(index), expecting: "':' after the key \"\(key)\"") }
        index += 1
        return (key, offset)
    }

    /// The finished object's members, taken off ``openMembers``.
    mutating func closeObject(_ frame: Frame) -> [JSONMember] {
        let members = Array(openMembers[frame.start...])
        openMembers.removeSubrange(frame.start...)
        return members
    }

    /// The finished array's elements, taken off ``openItems``.
    mutating func closeArray(_ frame: Frame) -> [JSONNode] {
        let items = Array(openItems[frame.start...])
        openItems.removeSubrange(frame.start...)
        return items
    }

    /// Records a key of a frame that already has members; throws if the object already has it.
    func rememberKey(_ key: String, at offset: Int, in frame: inout Frame) throws {
        let duplicate: Bool
        if frame.keySet != nil {
            duplicate = !frame.keySet!.insert(key).inserted
        } else {
            let members = openMembers[frame.start...]
            // Comparing lengths first keeps most unequal keys away from the full string comparison.
            let length = key.utf8.count
            duplicate = members.contains { $0.key.utf8.count == length && $0.key == key }
            if !duplicate, members.count >= Self.linearKeyCheckLimit {
                var set = Set(members.map(\.key))
                set.insert(key)
                frame.keySet = set
            }
        }
        if duplicate {
            throw JSONParseError(.duplicateKey(key), offset: offset,
                                 message: "duplicate key \"\(key)\": an object may name each key only once")
        }
    }

    private mutating func expectLiteral(_ word: StaticString) throws {
        let start = index
        let length = word.utf8CodeUnitCount
        let expected = word.utf8Start
        for k in 0..<length {
            guard start + k < count else { throw endOfInput(expecting: "the rest of '\(word)'") }
            guard byte(start + k) == expected[k] else {
                throw JSONParseError(.invalidLiteral, offset: start + k,
                                     message: "expected '\(word)' but found \(describe(byte(start + k))) (NaN, Infinity and other bare words are not JSON)")
            }
        }
        index = start + length
    }

    // MARK: - Error helpers

    func endOfInput(expecting what: String) -> JSONParseError {
        JSONParseError(.unexpectedEnd, offset: count, message: "the document ends where \(what) was expected (truncated?)")
    }

    func unexpected(_ b: UInt8, expecting what: String) -> JSONParseError {
        JSONParseError(.unexpectedCharacter, offset: index, message: "found \(describe(b)) where \(what) was expected")
    }

    func describe(_ b: UInt8) -> String {
        if b >= 0x21, b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
        let hex = String(b, radix: 16, uppercase: true)
        return "byte 0x" + (hex.count == 1 ? "0" + hex : hex)
    }
}
