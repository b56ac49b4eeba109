import Foundation

/// How a Kafka client talks to the brokers (librdkafka's `security.protocol`).
public enum KafkaSecurityProtocol: String, Sendable, Equatable, CaseIterable {
    case plaintext = "PLAINTEXT"
    case ssl = "SSL"
    case saslPlaintext = "SASL_PLAINTEXT"
    case saslSSL = "SASL_SSL"

    /// True for the protocols that authenticate with a SASL username and password.
    public var usesSASL: Bool { self == .saslPlaintext || self == .saslSSL }
}

/// A parsed Kafka connection string. Three forms are accepted:
///
/// 1. The Python framework's URL: `kafka://host:port[,host2:port]/topic?security_protocol=SASL_SSL&sasl_mechanism=PLAIN&X_sasl_file=/path/creds.json`.
///    Defaults are PLAINTEXT and PLAIN. With a SASL protocol the credentials come from the JSON file
///    (`sasl.username`, `sasl.password`), else from `SASL_USERNAME` / `SASL_PASSWORD` in `environment`
///    (`user:pass@` before the hosts is accepted too and wins over both).
/// 2. The CTS spec's `user:pass@broker1:9092,broker2:9092`: SASL_SSL with PLAIN.
/// 3. Bare `broker1:9092[,broker2:9092]`: PLAINTEXT.
///
/// Forms 2 and 3 carry no topic, so ``topic`` is nil and ``KafkaConfiguration`` uses its default.
/// Errors name what is wrong and never contain the password; print ``redacted`` rather than the input.
public struct KafkaConnectionString: Sendable, Equatable, CustomStringConvertible {
    /// Which of the accepted forms the string was written in.
    public enum Form: String, Sendable, Equatable {
        case url
        case credentialsAtBrokers
        case bareBrokers
    }

    /// Query parameters of the URL form that this parser understands.
    public static let knownParameters = ["security_protocol", "sasl_mechanism", "X_sasl_file"]
    /// SASL mechanisms accepted in `sasl_mechanism`.
    public static let supportedMechanisms = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]

    public var form: Form
    /// `host:port` entries, in the order given.
    public var brokers: [String]
    /// The topic from the URL path, if any.
    public var topic: String?
    public var securityProtocol: KafkaSecurityProtocol
    public var saslMechanism: String
    public var username: String?
    public var password: String?
    /// The `X_sasl_file` path, when given.
    public var saslFile: String?
    /// Query parameters that were present but are not understood (kept for a warning; the Python framework ignores them too).
    public var ignoredParameters: [String]
    /// The input with the password replaced by `***`: safe to log.
    public let redacted: String

    public var description: String { redacted }

    /// Parses `string`. `environment` supplies `SASL_USERNAME` / `SASL_PASSWORD` for the URL form
    /// (pass the process environment in production, a literal dictionary in tests).
    /// - Throws: ``NotifierError/invalidConfiguration(_:)`` naming the problem (never the password).
    public init(parsing string: String, environment: [String: String]) throws {
        let trimmed = string.trimmingCharacters(in: .whitespacesAndNewlines)
        redacted = KafkaConnectionString.redact(trimmed)
        ignoredParameters = []
        saslFile = nil
        topic = nil
        brokers = []
        username = nil
        password = nil
        guard !trimmed.isEmpty else {
            throw KafkaConnectionString.invalid("it is empty; expected kafka://host:port/topic, user:pass@host:port or host:port")
        }
        if let schemeEnd = trimmed.range(of: "://") {
            let scheme = trimmed[..<schemeEnd.lowerBound].lowercased()
            guard scheme == "kafka" else {
                throw KafkaConnectionString.invalid("scheme '\(scheme)' is not supported; use kafka://host:port/topic", redacted)
            }
            form = .url
            securityProtocol = .plaintext
            saslMechanism = "PLAIN"
            try parseURL(String(trimmed[schemeEnd.upperBound...]), environment: environment)
        } else if let at = trimmed.lastIndex(of: "@") {
            form = .credentialsAtBrokers
            securityProtocol = .saslSSL
            saslMechanism = "PLAIN"
            let (user, pass) = try KafkaConnectionString.splitCredentials(String(trimmed[..<at]), decode: false, redacted)
            username = user
            password = pass
            brokers = try KafkaConnectionString.parseBrokers(String(trimmed[trimmed.index(after: at)...]), redacted)
        } else {
            form = .bareBrokers
            securityProtocol = .plaintext
            saslMechanism = "PLAIN"
            brokers = try KafkaConnectionString.parseBrokers(trimmed, redacted)
        }
    }

    // MARK: - URL form

    private mutating func parseURL(_ rest: String, environment: [String: String]) throws {
        var remainder = Substring(rest)
        var query: Substring = ""
        if let q = remainder.firstIndex(of: "?") {
            query = remainder[remainder.index(after: q)...]
            remainder = remainder[..<q]
        }
        var authority = remainder
        var path: Substring = ""
        if let slash = remainder.firstIndex(of: "/") {
            authority = remainder[..<slash]
            path = remainder[remainder.index(after: slash)...]
        }
        if let at = authority.lastIndex(of: "@") {
            let (user, pass) = try KafkaConnectionString.splitCredentials(String(authority[..<at]), decode: true, redacted)
            username = user
            password = pass
            authority = authority[authority.index(after: at)...]
        }
        brokers = try KafkaConnectionString.parseBrokers(String(authority), redacted)

        let topicText = (path.removingPercentEncoding ?? String(path))
        if !topicText.isEmpty {
            try KafkaConnectionString.validateTopic(topicText, redacted)
            topic = topicText
        }

        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            let value = parts.count > 1 ? (String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(parts[1])) : ""
            switch name {
            case "security_protocol":
                guard let parsed = KafkaSecurityProtocol(rawValue: value.uppercased()) else {
                    let allowed = KafkaSecurityProtocol.allCases.map(\.rawValue).joined(separator: ", ")
                    throw KafkaConnectionString.invalid("security_protocol '\(value)' is not one of \(allowed)", redacted)
                }
                securityProtocol = parsed
            case "sasl_mechanism":
                let upper = value.uppercased()
                guard KafkaConnectionString.supportedMechanisms.contains(upper) else {
                    let allowed = KafkaConnectionString.supportedMechanisms.joined(separator: ", ")
                    throw KafkaConnectionString.invalid("sasl_mechanism '\(value)' is not one of \(allowed)", redacted)
                }
                saslMechanism = upper
            case "X_sasl_file":
                guard !value.isEmpty else {
                    throw KafkaConnectionString.invalid("X_sasl_file is empty; give the path of a JSON file holding sasl.username and sasl.password", redacted)
                }
                saslFile = value
            default:
                ignoredParameters.append(name)
            }
        }

        guard securityProtocol.usesSASL, username == nil || password == nil else { return }
        if let saslFile {
            let (user, pass) = try KafkaConnectionString.readCredentialsFile(saslFile)
            username = user
            password = pass
        }
        if username == nil || password == nil, let user = environment["SASL_USERNAME"], !user.isEmpty,
           let pass = environment["SASL_PASSWORD"], !pass.isEmpty {
            username = user
            password = pass
        }
        guard username != nil, password != nil else {
            let source = saslFile.map { "the file \($0) has no usable sasl.username/sasl.password and " } ?? "no X_sasl_file is given and "
            throw KafkaConnectionString.invalid("security_protocol \(securityProtocol.rawValue) needs SASL credentials but \(source)SASL_USERNAME / SASL_PASSWORD are not both set", redacted)
        }
    }

    /// Reads `{"sasl.username": ..., "sasl.password": ...}`; missing keys give nil (the caller falls back to the environment).
    private static func readCredentialsFile(_ path: String) throws -> (String?, String?) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw NotifierError.invalidConfiguration("Kafka SASL credentials file \(path) cannot be read: check X_sasl_file and the file's permissions")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw NotifierError.invalidConfiguration("Kafka SASL credentials file \(path) is not a JSON object; it must hold {\"sasl.username\": ..., \"sasl.password\": ...}")
        }
        let user = (object["sasl.username"] as? String).flatMap { $0.isEmpty ? nil : $0 }
        let pass = (object["sasl.password"] as? String).flatMap { $0.isEmpty ? nil : $0 }
        return (user, pass)
    }

    // MARK: - Shared pieces

    /// Splits `user:password` at the first colon (the password may contain colons and `@`).
    private static func splitCredentials(_ text: String, decode: Bool, _ redacted: String) throws -> (String, String) {
        guard let colon = text.firstIndex(of: ":") else {
            throw invalid("the credentials before '@' must be user:password (no ':' found)", redacted)
        }
        var user = String(text[..<colon])
        var pass = String(text[text.index(after: colon)...])
        if decode {
            user = user.removingPercentEncoding ?? user
            pass = pass.removingPercentEncoding ?? pass
        }
        guard !user.isEmpty else { throw invalid("the username before ':' is empty", redacted) }
        guard !pass.isEmpty else { throw invalid("the password after '\(user):' is empty", redacted) }
        return (user, pass)
    }

    /// Parses `host:port[,host:port...]`.
    static func parseBrokers(_ text: String, _ redacted: String) throws -> [String] {
        guard !text.isEmpty else { throw invalid("no broker is given; expected host:port[,host:port]", redacted) }
        var brokers: [String] = []
        for entry in text.split(separator: ",", omittingEmptySubsequences: false) {
            let broker = entry.trimmingCharacters(in: .whitespaces)
            guard !broker.isEmpty else { throw invalid("the broker list has an empty entry (check the commas)", redacted) }
            guard let colon = broker.lastIndex(of: ":") else {
                throw invalid("broker '\(broker)' has no port; write it as host:port", redacted)
            }
            let host = broker[..<colon]
            let portText = broker[broker.index(after: colon)...]
            guard !host.isEmpty else { throw invalid("broker '\(broker)' has no host; write it as host:port", redacted) }
            let hostOK = host.unicodeScalars.allSatisfy {
                CharacterSet.alphanumerics.contains($0) || "-._[]:".unicodeScalars.contains($0)
            }
            guard hostOK else { throw invalid("broker host '\(host)' contains characters a host name cannot have", redacted) }
            guard let port = Int(portText), (1...65535).contains(port) else {
                throw invalid("broker '\(broker)' has port '\(portText)', which is not a number from 1 to 65535", redacted)
            }
            brokers.append(broker)
        }
        return brokers
    }

    /// What a Kafka topic name may be, for error messages.
    static let topicRule = "1-249 characters of letters, digits, '.', '_', '-'"

    /// Kafka topic names: 1 to 249 characters of `[A-Za-z0-9._-]`.
    static func isValidTopic(_ topic: String) -> Bool {
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        return !topic.isEmpty && topic.count <= 249 && topic.unicodeScalars.allSatisfy { allowed.contains($0) }
    }

    static func validateTopic(_ topic: String, _ redacted: String) throws {
        guard isValidTopic(topic) else {
            throw invalid("topic '\(topic)' is not a valid Kafka topic name (\(topicRule))", redacted)
        }
    }

    private static func invalid(_ problem: String, _ redacted: String? = nil) -> NotifierError {
        if let redacted {
            return .invalidConfiguration("Kafka connection string \(redacted) is invalid: \(problem)")
        }
        return .invalidConfiguration("Kafka connection string is invalid: \(problem)")
    }

    /// Replaces the password in any connection string (parsable or not) with `***`:
    /// `user:secret@b:9092` becomes `user:***@b:9092`, `kafka://u:p@h:1/t` becomes `kafka://u:***@h:1/t`.
    public static func redact(_ string: String) -> String {
        var prefix = ""
        var rest = Substring(string)
        var searched = rest
        if let schemeEnd = rest.range(of: "://") {
            // URL form: the userinfo lives in the authority, before the path or query.
            prefix = String(rest[..<schemeEnd.upperBound])
            rest = rest[schemeEnd.upperBound...]
            searched = rest.firstIndex(where: { $0 == "/" || $0 == "?" }).map { rest[..<$0] } ?? rest
        }
        // Spec form: the last '@' ends the credentials (a password may itself contain '@').
        guard let at = searched.lastIndex(of: "@") else { return string }
        let userinfo = rest[..<at]
        // Without a ':' we cannot tell a user name from a password, so the whole userinfo goes.
        guard let colon = userinfo.firstIndex(of: ":") else { return prefix + "***" + rest[at...] }
        return prefix + userinfo[..<colon] + ":***" + rest[at...]
    }
}
