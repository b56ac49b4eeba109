/// Why ``JSONParser`` refused a document, and where: `offset` is the byte offset (from 0) of the
/// first byte that is wrong.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of problem, for code that needs to tell them apart.
    public enum Kind: Sendable, Equatable {
        case emptyDocument
        case unexpectedEnd
        case unexpectedCharacter
        case trailingCharacters
        case invalidLiteral
        case invalidNumber
        case numberOutOfRange
        case invalidEscape
        case invalidUTF8
        case controlCharacterInString
        case tooDeep
        /// Two members of one object share this key.
        case duplicateKey(String)
    }

    public var kind: Kind
    /// Byte offset of the problem.
    public var offset: Int
    /// What is wrong, in words.
    public var message: String

    public init(_ kind: Kind, offset: Int, message: String) {
        self.kind = kind
        self.offset = offset
        self.message = message
    }

    public var description: String { "invalid JSON at byte \(offset): \(message)" }
}
