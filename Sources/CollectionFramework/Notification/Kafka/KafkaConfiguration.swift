import Foundation

/// Everything ``KafkaNotifier`` needs to build its librdkafka producer.
///
/// Producer settings follow the Python framework: `linger.ms=100`, `compression.type=zstd` (the notifier
/// falls back to lz4, then none, when this librdkafka was built without zstd) and a 20 second wait per message.
/// ``extraProperties`` (from the YAML configuration) are applied last and override everything else.
public struct KafkaConfiguration: Sendable, Equatable, CustomStringConvertible {
    /// Topic used when the connection string names none (the spec's `user:pass@…` and bare broker forms).
    public static let defaultTopic = "scraper-notifications"
    /// How long `publish` waits for a message's delivery report, in seconds (the Python framework's flush timeout).
    public static let defaultDeliveryTimeout: TimeInterval = 20
    /// librdkafka `linger.ms`, as the Python framework sets it.
    public static let defaultLingerMilliseconds = 100
    /// Compression codecs tried in order; the first this librdkafka accepts is used.
    public static let defaultCompressionPreference = ["zstd", "lz4", "none"]

    /// `host:port` entries.
    public var brokers: [String]
    public var topic: String
    public var securityProtocol: KafkaSecurityProtocol
    /// `PLAIN`, `SCRAM-SHA-256` or `SCRAM-SHA-512`; only sent with a SASL security protocol.
    public var saslMechanism: String
    public var saslUsername: String?
    /// Never printed: ``description`` and every error replace it with `***`.
    public var saslPassword: String?
    /// Further librdkafka properties (e.g. `ssl.ca.location`, `client.id`); these override the defaults.
    public var extraProperties: [String: String]
    /// Seconds `publish` waits for the delivery report; also librdkafka's `message.timeout.ms`.
    public var deliveryTimeout: TimeInterval
    public var lingerMilliseconds: Int
    /// Codecs tried in order for `compression.type` (ignored when ``extraProperties`` sets it).
    public var compressionPreference: [String]

    /// Builds a configuration from its parts.
    public init(brokers: [String], topic: String = KafkaConfiguration.defaultTopic,
                securityProtocol: KafkaSecurityProtocol = .plaintext, saslMechanism: String = "PLAIN",
                saslUsername: String? = nil, saslPassword: String? = nil, extraProperties: [String: String] = [:],
                deliveryTimeout: TimeInterval = KafkaConfiguration.defaultDeliveryTimeout,
                lingerMilliseconds: Int = KafkaConfiguration.defaultLingerMilliseconds,
                compressionPreference: [String] = KafkaConfiguration.defaultCompressionPreference) {
        self.brokers = brokers
        self.topic = topic
        self.securityProtocol = securityProtocol
        self.saslMechanism = saslMechanism
        self.saslUsername = saslUsername
        self.saslPassword = saslPassword
        self.extraProperties = extraProperties
        self.deliveryTimeout = deliveryTimeout
        self.lingerMilliseconds = lingerMilliseconds
        self.compressionPreference = compressionPreference
    }

    /// Builds a configuration from a parsed connection string (its topic, else ``defaultTopic``).
    public init(connectionString: KafkaConnectionString, extraProperties: [String: String] = [:],
                deliveryTimeout: TimeInterval = KafkaConfiguration.defaultDeliveryTimeout) {
        self.init(brokers: connectionString.brokers, topic: connectionString.topic ?? KafkaConfiguration.defaultTopic,
                  securityProtocol: connectionString.securityProtocol, saslMechanism: connectionString.saslMechanism,
                  saslUsername: connectionString.username, saslPassword: connectionString.password,
                  extraProperties: extraProperties, deliveryTimeout: deliveryTimeout)
    }

    /// Parses a connection string (any form ``KafkaConnectionString`` accepts) and builds the configuration.
    /// - Parameter environment: supplies `SASL_USERNAME` / `SASL_PASSWORD` for the `kafka://` form.
    /// - Throws: ``NotifierError/invalidConfiguration(_:)``.
    public init(parsing connectionString: String, environment: [String: String],
                extraProperties: [String: String] = [:],
                deliveryTimeout: TimeInterval = KafkaConfiguration.defaultDeliveryTimeout) throws {
        let parsed = try KafkaConnectionString(parsing: connectionString, environment: environment)
        self.init(connectionString: parsed, extraProperties: extraProperties, deliveryTimeout: deliveryTimeout)
    }

    /// librdkafka's `bootstrap.servers`.
    public var bootstrapServers: String { brokers.joined(separator: ",") }

    /// A one-line summary without the password, for logs.
    public var description: String {
        var parts = ["brokers=\(bootstrapServers)", "topic=\(topic)", "security.protocol=\(securityProtocol.rawValue)"]
        if securityProtocol.usesSASL {
            parts.append("sasl.mechanism=\(saslMechanism)")
            parts.append("sasl.username=\(saslUsername ?? "-")")
            parts.append("sasl.password=\(saslPassword == nil ? "-" : "***")")
        }
        parts.append("delivery.timeout=\(deliveryTimeout)s")
        return "Kafka(" + parts.joined(separator: " ") + ")"
    }

    /// Checks what librdkafka would reject late or confusingly.
    /// - Throws: ``NotifierError/invalidConfiguration(_:)``.
    public func validate() throws {
        guard !brokers.isEmpty else {
            throw NotifierError.invalidConfiguration("Kafka configuration has no brokers; give at least one host:port")
        }
        // The broker list is itself a bare-form connection string; its errors name the bad entry.
        _ = try KafkaConnectionString.parseBrokers(bootstrapServers, bootstrapServers)
        guard !topic.isEmpty else {
            throw NotifierError.invalidConfiguration("Kafka configuration has an empty topic; omit it to use \(KafkaConfiguration.defaultTopic)")
        }
        guard KafkaConnectionString.isValidTopic(topic) else {
            throw NotifierError.invalidConfiguration("Kafka topic '\(topic)' is not a valid Kafka topic name (\(KafkaConnectionString.topicRule))")
        }
        guard deliveryTimeout.isFinite, deliveryTimeout > 0, deliveryTimeout <= 2_000_000 else {
            throw NotifierError.invalidConfiguration("Kafka delivery timeout \(deliveryTimeout)s must be a positive number of seconds")
        }
        guard lingerMilliseconds >= 0, Double(lingerMilliseconds) < deliveryTimeout * 1000 else {
            throw NotifierError.invalidConfiguration("Kafka linger.ms \(lingerMilliseconds) must be at least 0 and below the delivery timeout (\(Int(deliveryTimeout * 1000)) ms)")
        }
        if securityProtocol.usesSASL, saslUsername == nil || saslPassword == nil {
            throw NotifierError.invalidConfiguration("Kafka security protocol \(securityProtocol.rawValue) needs a SASL username and password; none were configured")
        }
    }

    /// The librdkafka properties in the order they are set, except `compression.type`, which the notifier
    /// negotiates. Contains the password: internal use only, never print.
    func producerProperties() -> [(name: String, value: String)] {
        var properties: [(name: String, value: String)] = [
            ("bootstrap.servers", bootstrapServers),
            ("linger.ms", String(lingerMilliseconds)),
            ("message.timeout.ms", String(Int((deliveryTimeout * 1000).rounded()))),
            ("security.protocol", securityProtocol.rawValue.lowercased()),
        ]
        if securityProtocol.usesSASL {
            properties.append(("sasl.mechanism", saslMechanism))
            if let saslUsername { properties.append(("sasl.username", saslUsername)) }
            if let saslPassword { properties.append(("sasl.password", saslPassword)) }
        }
        for name in extraProperties.keys.sorted() { properties.append((name, extraProperties[name]!)) }
        return properties
    }

    /// Replaces every secret this configuration holds with `***` in `text` (librdkafka messages included).
    func scrub(_ text: String) -> String {
        var secrets: [String] = []
        if let saslPassword, !saslPassword.isEmpty { secrets.append(saslPassword) }
        for (name, value) in extraProperties where KafkaConfiguration.isSecretProperty(name) && !value.isEmpty {
            secrets.append(value)
        }
        return secrets.reduce(text) { $0.replacingOccurrences(of: $1, with: "***") }
    }

    /// librdkafka properties whose values are secrets (passwords, keys, tokens).
    static func isSecretProperty(_ name: String) -> Bool {
        let lower = name.lowercased()
        return ["password", "secret", "token", ".key", "key.pem", "jaas"].contains { lower.contains($0) }
    }
}
