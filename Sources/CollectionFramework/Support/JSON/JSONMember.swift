/// One `"key": value` member of a JSON object.
public struct JSONMember: Sendable, Equatable {
    public var key: String
    public var value: JSONNode

    public init(_ key: String, _ value: JSONNode) {
        self.key = key
        self.value = value
    }
}
