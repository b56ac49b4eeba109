import CollectionFramework

/// Short rendering of a JSON value for failure messages and `values`.
enum JSONPreview {
    static func text(_ node: JSONNode?) -> String {
        guard let node else { return "missing" }
        let full: String
        switch node {
        case .null: full = "null"
        case .bool(let b): full = String(b)
        case .number(let d): full = d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case .string(let s): full = String(reflecting: s)
        case .array(let items): full = "array of \(items.count)"
        case .object(let members): full = "object with \(members.count) keys"
        }
        return full.count > 80 ? String(full.prefix(77)) + "..." : full
    }

    /// `string "45.5"`, `number 3`, `missing`: the kind and the value.
    static func described(_ node: JSONNode?) -> String {
        guard let node else { return "nothing (the field is missing)" }
        switch node {
        case .null: return "null"
        case .array, .object: return text(node)
        default: return "\(node.kindName) \(text(node))"
        }
    }
}
