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
        let value = S3XMLText.element(name, in: text)?.trimmingCharacters(in: .whitespacesAndNewlines)
        return value?.isEmpty == false ? value : nil
    }
}
