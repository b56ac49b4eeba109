/// Expands `${VAR}` and `${VAR:-default}` in configuration values (`$$` writes a literal `$`).
public enum VariableInterpolation {
    /// Returns `text` with variables replaced; throws naming the first unset variable that has no default.
    public static func expand(_ text: String, environment: [String: String]) throws -> String {
        guard text.contains("$") else { return text }
        var out = ""
        var index = text.startIndex
        while index < text.endIndex {
            let char = text[index]
            let next = text.index(after: index)
            if char == "$", next < text.endIndex, text[next] == "$" {
                out.append("$")
                index = text.index(after: next)
            } else if char == "$", next < text.endIndex, text[next] == "{" {
                guard let close = text[next...].firstIndex(of: "}") else {
                    throw ConfigError("unterminated ${ in \(text.debugDescription): close it with }")
                }
                let body = String(text[text.index(after: next)..<close])
                let name: String
                let fallback: String?
                if let sep = body.range(of: ":-") {
                    name = String(body[..<sep.lowerBound])
                    fallback = String(body[sep.upperBound...])
                } else {
                    name = body
                    fallback = nil
                }
                guard !name.isEmpty, name.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }) else {
                    throw ConfigError("invalid variable name \(name.debugDescription) in \(text.debugDescription)")
                }
                if let value = environment[name], !(value.isEmpty && fallback != nil) {
                    out += value
                } else if let fallback {
                    out += fallback
                } else {
                    throw ConfigError("environment variable \(name) is not set: export it, or write ${\(name):-default}")
                }
                index = text.index(after: close)
            } else {
                out.append(char)
                index = next
            }
        }
        return out
    }
}
