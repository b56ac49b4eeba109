import CollectionFramework
import Foundation
import TestSupport
import XCTest

/// Parsing of the three Kafka connection-string forms, credentials lookup, and error messages.
final class KafkaConnectionStringTests: XCTestCase {
    /// A unique secret: it must never appear in an error, a description or a redacted string.
    private let marker = "pw-\(UUID().uuidString.prefix(8))-secret"

    private func writeCredentials(_ json: String) throws -> String {
        let dir = TestPaths.temporaryDirectory("kafka-creds")
        let file = dir.appendingPathComponent("creds.json")
        try json.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    func testAcceptedFormsTable() async throws {
        struct Row {
            var input: String
            var environment: [String: String] = [:]
            var form: KafkaConnectionString.Form
            var brokers: [String]
            var topic: String?
            var security: KafkaSecurityProtocol
            var mechanism = "PLAIN"
            var username: String?
            var password: String?
        }
        let rows: [Row] = [
            Row(input: "kafka://broker.example.com:9092/my-topic", form: .url, brokers: ["broker.example.com:9092"],
                topic: "my-topic", security: .plaintext),
            Row(input: "kafka://h1:9092,h2:9093/notify.v1", form: .url, brokers: ["h1:9092", "h2:9093"],
                topic: "notify.v1", security: .plaintext),
            Row(input: "kafka://h1:9092", form: .url, brokers: ["h1:9092"], topic: nil, security: .plaintext),
            Row(input: "kafka://h1:9092/", form: .url, brokers: ["h1:9092"], topic: nil, security: .plaintext),
            Row(input: "kafka://h1:9092/t?security_protocol=sasl_plaintext&sasl_mechanism=scram-sha-256",
                environment: ["SASL_USERNAME": "envuser", "SASL_PASSWORD": marker], form: .url, brokers: ["h1:9092"],
                topic: "t", security: .saslPlaintext, mechanism: "SCRAM-SHA-256", username: "envuser", password: marker),
            Row(input: "kafka://u%40corp:p%3A\(marker)@h1:9092/t?security_protocol=SASL_SSL", form: .url,
                brokers: ["h1:9092"], topic: "t", security: .saslSSL, username: "u@corp", password: "p:\(marker)"),
            Row(input: "kafka://h1:9092/t?security_protocol=SSL", form: .url, brokers: ["h1:9092"], topic: "t", security: .ssl),
            Row(input: "user:\(marker)@broker1:9092,broker2:9092", form: .credentialsAtBrokers,
                brokers: ["broker1:9092", "broker2:9092"], topic: nil, security: .saslSSL, username: "user", password: marker),
            Row(input: "svc:p@ss:\(marker)@10.0.0.1:9094", form: .credentialsAtBrokers, brokers: ["10.0.0.1:9094"],
                topic: nil, security: .saslSSL, username: "svc", password: "p@ss:\(marker)"),
            Row(input: "broker:9092", form: .bareBrokers, brokers: ["broker:9092"], topic: nil, security: .plaintext),
            Row(input: " b1:1, b2:65535 ", form: .bareBrokers, brokers: ["b1:1", "b2:65535"], topic: nil, security: .plaintext),
            // The bare form ignores SASL variables in the environment: it is PLAINTEXT.
            Row(input: "broker:9092", environment: ["SASL_USERNAME": "u", "SASL_PASSWORD": marker], form: .bareBrokers,
                brokers: ["broker:9092"], topic: nil, security: .plaintext),
        ]
        for row in rows {
            let parsed = try KafkaConnectionString(parsing: row.input, environment: row.environment)
            XCTAssertEqual(parsed.form, row.form, row.input)
            XCTAssertEqual(parsed.brokers, row.brokers, row.input)
            XCTAssertEqual(parsed.topic, row.topic, row.input)
            XCTAssertEqual(parsed.securityProtocol, row.security, row.input)
            XCTAssertEqual(parsed.saslMechanism, row.mechanism, row.input)
            XCTAssertEqual(parsed.username, row.username, row.input)
            XCTAssertEqual(parsed.password, row.password, row.input)
            XCTAssertFalse(parsed.redacted.contains(marker), parsed.redacted)
            XCTAssertFalse(parsed.description.contains(marker), parsed.description)

            let configuration = KafkaConfiguration(connectionString: parsed)
            XCTAssertEqual(configuration.topic, row.topic ?? KafkaConfiguration.defaultTopic, row.input)
            XCTAssertEqual(configuration.bootstrapServers, row.brokers.joined(separator: ","))
            XCTAssertFalse(configuration.description.contains(marker), configuration.description)
        }
    }

    func testDefaultsAreDocumentedConstants() async throws {
        XCTAssertEqual(KafkaConfiguration.defaultTopic, "scraper-notifications")
        XCTAssertEqual(KafkaConfiguration.defaultDeliveryTimeout, 20)
        XCTAssertEqual(KafkaConfiguration.defaultLingerMilliseconds, 100)
        XCTAssertEqual(KafkaConfiguration.defaultCompressionPreference.first, "zstd")
        let configuration = try KafkaConfiguration(parsing: "broker:9092", environment: [:])
        XCTAssertEqual(configuration.deliveryTimeout, 20)
        XCTAssertEqual(configuration.lingerMilliseconds, 100)
        XCTAssertEqual(configuration.topic, "scraper-notifications")
    }

    func testCredentialsFileIsRead() async throws {
        let path = try writeCredentials(#"{"sasl.username": "fileuser", "sasl.password": "\#(marker)"}"#)
        let parsed = try KafkaConnectionString(
            parsing: "kafka://h:9092/t?security_protocol=SASL_PLAINTEXT&X_sasl_file=\(path)",
            environment: ["SASL_USERNAME": "envuser", "SASL_PASSWORD": "envpass"])
        XCTAssertEqual(parsed.username, "fileuser")
        XCTAssertEqual(parsed.password, marker)
        XCTAssertEqual(parsed.saslFile, path)
        XCTAssertFalse(parsed.redacted.contains(marker))
    }

    func testCredentialsFileWithoutKeysFallsBackToEnvironment() async throws {
        let path = try writeCredentials(#"{"other": "x"}"#)
        let parsed = try KafkaConnectionString(
            parsing: "kafka://h:9092/t?security_protocol=SASL_SSL&X_sasl_file=\(path)",
            environment: ["SASL_USERNAME": "envuser", "SASL_PASSWORD": marker])
        XCTAssertEqual(parsed.username, "envuser")
        XCTAssertEqual(parsed.password, marker)
    }

    func testCredentialsOnlyLoadedForSASL() async throws {
        let parsed = try KafkaConnectionString(parsing: "kafka://h:9092/t",
                                               environment: ["SASL_USERNAME": "u", "SASL_PASSWORD": marker])
        XCTAssertNil(parsed.username)
        XCTAssertNil(parsed.password)
    }

    func testUnknownParametersAreIgnoredButReported() async throws {
        let parsed = try KafkaConnectionString(parsing: "kafka://h:9092/t?acks=all&security_protocol=PLAINTEXT", environment: [:])
        XCTAssertEqual(parsed.ignoredParameters, ["acks"])
    }

    func testBadInputsTable() async throws {
        let notJSON = try writeCredentials("sasl.username=x")
        let rows: [(input: String, environment: [String: String], expected: String)] = [
            ("", [:], "empty"),
            ("   ", [:], "empty"),
            ("http://h:9092/t", [:], "scheme 'http'"),
            ("broker", [:], "has no port"),
            ("broker:abc", [:], "not a number"),
            ("broker:70000", [:], "not a number"),
            ("b1:9092,,b2:9092", [:], "empty entry"),
            ("b1:9092,", [:], "empty entry"),
            (":9092", [:], "has no host"),
            ("bro ker:9092", [:], "cannot have"),
            ("kafka://:9092/t", [:], "has no host"),
            ("kafka:///t", [:], "no broker"),
            ("user\(marker)@b:9092", [:], "must be user:password"),
            ("user:@b:9092", [:], "password"),
            (":\(marker)@b:9092", [:], "username"),
            ("user:\(marker)@", [:], "no broker"),
            ("user:\(marker)@b", [:], "has no port"),
            ("kafka://u:\(marker)@h/t", [:], "has no port"),
            ("kafka://h:9092/bad topic!", [:], "not a valid Kafka topic"),
            ("kafka://h:9092/t?security_protocol=KERBEROS", [:], "security_protocol 'KERBEROS'"),
            ("kafka://h:9092/t?sasl_mechanism=MD5", [:], "sasl_mechanism 'MD5'"),
            ("kafka://h:9092/t?security_protocol=SASL_SSL&X_sasl_file=", [:], "X_sasl_file is empty"),
            ("kafka://h:9092/t?security_protocol=SASL_SSL", [:], "SASL_USERNAME / SASL_PASSWORD"),
            ("kafka://h:9092/t?security_protocol=SASL_SSL", ["SASL_PASSWORD": marker], "SASL_USERNAME / SASL_PASSWORD"),
            ("kafka://h:9092/t?security_protocol=SASL_SSL&X_sasl_file=/nonexistent/\(UUID().uuidString).json",
             ["SASL_PASSWORD": marker], "cannot be read"),
            ("kafka://h:9092/t?security_protocol=SASL_SSL&X_sasl_file=\(notJSON)", [:], "not a JSON object"),
        ]
        for row in rows {
            XCTAssertThrowsError(try KafkaConnectionString(parsing: row.input, environment: row.environment), row.input) { error in
                guard case NotifierError.invalidConfiguration(let message) = error else {
                    return XCTFail("\(row.input): unexpected \(error)")
                }
                XCTAssertTrue(message.contains(row.expected), "\(row.input): \(message)")
                XCTAssertFalse(message.contains(marker), "\(row.input) leaked the password: \(message)")
            }
        }
    }

    func testRedaction() async {
        XCTAssertEqual(KafkaConnectionString.redact("user:\(marker)@b1:9092,b2:9092"), "user:***@b1:9092,b2:9092")
        XCTAssertEqual(KafkaConnectionString.redact("kafka://u:\(marker)@h:1/t?X_sasl_file=/a@b"), "kafka://u:***@h:1/t?X_sasl_file=/a@b")
        XCTAssertEqual(KafkaConnectionString.redact("kafka://h:1/t?X_sasl_file=/a@b"), "kafka://h:1/t?X_sasl_file=/a@b")
        XCTAssertEqual(KafkaConnectionString.redact("u:p@ss\(marker)@b:1"), "u:***@b:1")
        XCTAssertEqual(KafkaConnectionString.redact("b:1"), "b:1")
        let parsed = try? KafkaConnectionString(parsing: "user:\(marker)@b:9092", environment: [:])
        XCTAssertEqual(parsed?.redacted, "user:***@b:9092")
    }

    func testConfigurationValidation() async {
        let bad: [(KafkaConfiguration, String)] = [
            (KafkaConfiguration(brokers: []), "no brokers"),
            (KafkaConfiguration(brokers: ["b:9092"], topic: ""), "empty topic"),
            (KafkaConfiguration(brokers: ["b:9092"], topic: "a/b"), "not a valid Kafka topic"),
            (KafkaConfiguration(brokers: ["b:9092"], deliveryTimeout: 0), "delivery timeout"),
            (KafkaConfiguration(brokers: ["b:9092"], deliveryTimeout: 0.05), "linger.ms"),
            (KafkaConfiguration(brokers: ["b:9092"], securityProtocol: .saslSSL, saslUsername: "u"), "needs a SASL username and password"),
        ]
        for (configuration, expected) in bad {
            XCTAssertThrowsError(try configuration.validate()) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(error)")
            }
        }
        XCTAssertNoThrow(try KafkaConfiguration(brokers: ["b:9092"]).validate())
    }
}
