/// A parsed JSON document: the compact tree ``JSONParser`` produces.
///
/// Objects keep their members in document order (the parser refuses duplicate keys, so a key names
/// at most one member). Numbers are finite `Double`s: the parser refuses anything that overflows.
///
/// ```swift
/// let root = try JSONParser.parse(data)
/// let total = root["data"]?[0]?["forecastedLMP"]?["total"]?.number   // Double?
/// ```
public enum JSONNode: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONNode])
    case object([JSONMember])

    /// The member named `key` when this is an object, else nil.
    public subscript(key: String) -> JSONNode? {
        guard case .object(let members) = self else { return nil }
        for member in members where member.key == key { return member.value }
        return nil
    }

    /// The element at `index` when this is an array and the index exists, else nil.
    public subscript(index: Int) -> JSONNode? {
        guard case .array(let items) = self, items.indices.contains(index) else { return nil }
        return items[index]
    }

    /// The node at a path of object keys, e.g. `["forecastedLMP", "components", "energy"]`.
    public func value(at path: [String]) -> JSONNode? {
        var node: JSONNode? = self
        for key in path { node = node?[key] }
        return node
    }

    /// The string inside `.string`, else nil.
    public var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The number inside `.number`, else nil (a numeric string is not a number).
    public var number: Double? {
        if case .number(let d) = self { return d }
        return nil
    }

    /// The value inside `.bool`, else nil.
    public var bool: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The elements of `.array`, else nil.
    public var array: [JSONNode]? {
        if case .array(let items) = self { return items }
        return nil
    }

    /// The members of `.object` in document order, else nil.
    public var members: [JSONMember]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// The keys of `.object` in document order, else nil.
    public var keys: [String]? { members?.map(\.key) }

    /// True for `.null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// `object`, `array`, `string`, `number`, `boolean` or `null`: for error messages.
    public var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}
