import Foundation

/// Turns object metadata into `x-amz-meta-*` request headers that are safe to send.
enum S3MetadataHeaders {
    /// The response header carrying the raw content's SHA-256 (header names arrive lower-cased).
    static let contentSHA256 = "x-amz-meta-content-sha256"

    /// `x-amz-meta-content-sha256` first, then `metadata` sorted by name. Names are lower-cased and reduced to
    /// letters, digits, `-` and `_`; values lose CR/LF (no header injection) and non-ASCII values are sent
    /// RFC 2047-encoded (`=?UTF-8?B?…?=`), as S3 itself returns them. A `content-sha256` entry in `metadata`
    /// cannot override the computed one.
    static func headers(contentSHA256: String, metadata: [String: String]) -> [(String, String)] {
        var result = [(contentSHA256Header, sanitizedValue(contentSHA256))]
        for (name, value) in metadata.sorted(by: { $0.key < $1.key }) {
            let cleanName = sanitizedName(name)
            guard !cleanName.isEmpty, cleanName != "content-sha256" else { continue }
            result.append(("x-amz-meta-" + cleanName, sanitizedValue(value)))
        }
        return result
    }

    private static let contentSHA256Header = "x-amz-meta-content-sha256"

    static func sanitizedName(_ name: String) -> String {
        String(name.lowercased().unicodeScalars.map { scalar -> Character in
            let allowed = scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || scalar == "-" || scalar == "_")
            return allowed ? Character(scalar) : "-"
        })
    }

    static func sanitizedValue(_ value: String) -> String {
        let singleLine = value.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
            .trimmingCharacters(in: .whitespaces)
        if singleLine.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 && $0.value != 0x7F }) { return singleLine }
        return "=?UTF-8?B?" + Data(singleLine.utf8).base64EncodedString() + "?="
    }
}
