import Foundation

/// The `<Error><Code>…</Code><Message>…</Message></Error>` document S3 sends with failures.
///
/// Only `Code`, `Message` and `Region` are read: other elements (`StringToSign`, `CanonicalRequest`) can
/// echo signed headers such as the session token, so they are never shown.
struct S3ErrorDocument: Equatable {
    var code: String?
    var message: String?
    var region: String?

    init(code: String? = nil, message: String? = nil, region: String? = nil) {
        self.code = code
        self.message = message
        self.region = region
    }

    /// Parses `body`; every field is nil when it is not an S3 error document (e.g. the empty body of a HEAD).
    init(body: Data) {
        let text = String(decoding: body.prefix(64 * 1024), as: UTF8.self)
        code = Self.element("Code", in: text)
        message = Self.element("Message", in: text).map { String($0.prefix(200)) }
        region = Self.element("Region", in: text)
    }

    private static func element(_ name: String, in text: String) -> String? {
        guard let open = text.range(of: "<\(name)>"),
              let close = text.range(of: "</\(name)>", range: open.upperBound..<text.endIndex) else { return nil }
        let value = text[open.upperBound..<close.lowerBound]
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return value.isEmpty ? nil : value
    }
}
