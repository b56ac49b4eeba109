import Foundation

/// The little XML reading S3's answers need: the text of named elements, entities decoded.
/// S3's documents are flat and machine-written, so a scan for `<Name>…</Name>` is enough.
enum S3XMLText {
    /// The text of the first `<name>` element, entities decoded, or nil when there is none.
    static func element(_ name: String, in text: String) -> String? {
        guard let open = text.range(of: "<\(name)>"),
              let close = text.range(of: "</\(name)>", range: open.upperBound..<text.endIndex) else { return nil }
        return unescaped(text[open.upperBound..<close.lowerBound])
    }

    /// The text of every `<name>` element, in document order.
    static func elements(_ name: String, in text: String) -> [String] {
        var found: [String] = []
        var searchFrom = text.startIndex
        while let open = text.range(of: "<\(name)>", range: searchFrom..<text.endIndex),
              let close = text.range(of: "</\(name)>", range: open.upperBound..<text.endIndex) {
            found.append(unescaped(text[open.upperBound..<close.lowerBound]))
            searchFrom = close.upperBound
        }
        return found
    }

    /// Decodes the five XML entities and `&#13;` (S3 writes a carriage return in a key that way).
    static func unescaped(_ text: Substring) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&#13;", with: "\r").replacingOccurrences(of: "&amp;", with: "&")
    }
}
