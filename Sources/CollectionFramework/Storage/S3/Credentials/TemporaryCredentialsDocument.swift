import Foundation

/// The JSON documents that hand out temporary credentials: the container endpoint and instance
/// metadata (`AccessKeyId`, `SecretAccessKey`, `Token`, `Expiration`) and a `credential_process`
/// (`Version: 1`, `AccessKeyId`, `SecretAccessKey`, `SessionToken`, `Expiration`).
enum TemporaryCredentialsDocument {
    /// Parses `data`; nil names nothing, so callers wrap it in an error naming the source.
    static func parse(_ data: Data, source: AWSCredentials.Source) -> ExpiringCredentials? {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let key = object["AccessKeyId"] as? String, !key.isEmpty,
              let secret = object["SecretAccessKey"] as? String, !secret.isEmpty else { return nil }
        let token = (object["Token"] as? String) ?? (object["SessionToken"] as? String)
        let expiration = (object["Expiration"] as? String).flatMap(parseDate)
        return ExpiringCredentials(credentials: AWSCredentials(accessKeyID: key, secretAccessKey: secret,
                                                               sessionToken: token.flatMap { $0.isEmpty ? nil : $0 }, source: source),
                                   expiration: expiration)
    }

    /// ISO 8601, with or without fractional seconds (`2026-12-03T14:00:00Z`, `…00.000Z`).
    static func parseDate(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }
}
