import CollectionFramework
import CRdKafka
import Foundation
import Logging
import TestSupport
import Synchronization
import XCTest

/// KafkaNotifier against librdkafka's mock cluster on 127.0.0.1.
final class KafkaNotifierTests: XCTestCase {
    private let marker = "pw-\(UUID().uuidString.prefix(8))-secret"
    private var cluster: KafkaMockCluster!
    private let topic = "scraper-test-\(UUID().uuidString.prefix(8).lowercased())"

    override func setUpWithError() throws {
        cluster = try KafkaMockCluster(brokers: 3)
        try cluster.createTopic(topic, partitions: 3, replicationFactor: 1)
    }

    override func tearDown() {
        cluster?.stop()
        cluster = nil
    }

    private func makeMessage(_ n: Int = 1) -> NotificationMessage {
        let stored = StoredObject(key: "sourcing/miso_cts/year=2025/month=01/day=20/cts_\(n).json.gz",
                                  location: "s3://scraper-testing/sourcing/miso_cts/year=2025/month=01/day=20/cts_\(n).json.gz",
                                  versionID: "v\(n)", etag: "etag-\(n)", size: 321)
        return NotificationMessage.make(
            dataset: "miso_cts", environment: "dev", identifier: "cts_\(n).json.gz", stored: stored,
            sourceURL: "http://127.0.0.1:1/api/cts?n=\(n)", rawSize: 1234 + n, rawSHA256: String(repeating: "ab", count: 32),
            candidateMetadata: ["operating_day": .string("2025-01-20"), "interval": .int(n)],
            additions: ["collector_version": .string("1.0.0")],
            now: Date(timeIntervalSince1970: 1_737_381_600 + Double(n)))
    }

    private func consume(_ count: Int, timeout: Double = 10) throws -> [KafkaTestConsumer.Record] {
        let consumer = try KafkaTestConsumer(bootstrapServers: cluster.bootstrapServers, topic: topic)
        defer { consumer.close() }
        return try consumer.read(count: count, timeout: timeout)
    }

    func testMockBrokersListenOnLoopbackForOtherProcesses() async {
        XCTAssertEqual(cluster.ports.count, 3, cluster.bootstrapServers)
        for port in cluster.ports { XCTAssertTrue(Loopback.isListening(port), "mock broker port \(port)") }
    }

    func testPublishedMessageIsReadBackWithKeyAndEveryField() async throws {
        let notifier = try KafkaNotifier(connectionString: "kafka://\(cluster.bootstrapServers)/\(topic)", environment: [:])
        addTeardownBlock { await notifier.close() }
        XCTAssertTrue(notifier.displayName.contains(topic))
        let message = makeMessage()
        try await notifier.publish(message)

        let records = try consume(1)
        XCTAssertEqual(records.count, 1)
        let record = try XCTUnwrap(records.first)
        XCTAssertEqual(record.key, "miso_cts:cts_1.json")
        XCTAssertEqual(record.key, message.key)
        XCTAssertEqual(record.value, message.json())

        guard case .object(let json) = try JSONValue.parse(Data(record.value.utf8)) else { return XCTFail(record.value) }
        XCTAssertEqual(json["dataset"], .string("miso_cts"))
        XCTAssertEqual(json["environment"], .string("dev"))
        XCTAssertEqual(json["urn"], .string("cts_1.json"))
        XCTAssertEqual(json["location"], .string(message.location))
        XCTAssertEqual(json["version"], .string("20250120T140001Z"))
        XCTAssertEqual(json["etag"], .string("etag-1"))
        guard case .object(let metadata) = json["metadata"] else { return XCTFail("metadata missing: \(record.value)") }
        XCTAssertEqual(metadata["publish_dtm"], message.metadata["publish_dtm"])
        XCTAssertEqual(metadata["s3_guid"], message.metadata["s3_guid"])
        XCTAssertEqual(metadata["s3_guid"]?.stringValue?.count, 64)
        XCTAssertEqual(metadata["url"], .string("http://127.0.0.1:1/api/cts?n=1"))
        XCTAssertEqual(metadata["original_file_size"], .int(1235))
        XCTAssertEqual(metadata["original_file_md5sum"], .string(String(repeating: "ab", count: 32)))
        XCTAssertEqual(metadata["operating_day"], .string("2025-01-20"))
        XCTAssertEqual(metadata["interval"], .int(1))
        XCTAssertEqual(metadata["collector_version"], .string("1.0.0"))
        XCTAssertEqual(metadata.keys.count, 8)
        // Field order as the Python framework writes it.
        XCTAssertTrue(record.value.hasPrefix(#"{"dataset": "miso_cts", "environment": "dev", "urn": "cts_1.json", "location": "#))
    }

    func testCompressionPrefersZstd() async throws {
        let notifier = try KafkaNotifier(configuration: KafkaConfiguration(brokers: cluster.bootstrapServers.split(separator: ",").map(String.init), topic: topic))
        addTeardownBlock { await notifier.close() }
        let features = Self.builtinFeatures()
        let expected = features.contains("zstd") ? "zstd" : features.contains("lz4") ? "lz4" : "none"
        XCTAssertEqual(notifier.compressionCodec, expected, "builtin.features=\(features)")
        // Compressed batches still round-trip through the broker.
        try await notifier.publish(makeMessage(7))
        XCTAssertEqual(try consume(1).first?.key, "miso_cts:cts_7.json")
    }

    func testSpecFormWithDefaultTopicPublishesToScraperNotifications() async throws {
        try cluster.createTopic(KafkaConfiguration.defaultTopic, partitions: 1)
        let notifier = try KafkaNotifier(connectionString: cluster.bootstrapServers, environment: [:])
        addTeardownBlock { await notifier.close() }
        XCTAssertEqual(notifier.configuration.topic, "scraper-notifications")
        try await notifier.publish(makeMessage(2))
        let consumer = try KafkaTestConsumer(bootstrapServers: cluster.bootstrapServers, topic: KafkaConfiguration.defaultTopic)
        defer { consumer.close() }
        XCTAssertEqual(try consumer.read(count: 1).map(\.key), ["miso_cts:cts_2.json"])
    }

    func testAllBrokersDownThrowsWithinTimeoutWithoutPassword() async throws {
        try cluster.takeDown()
        let strings = [
            ("kafka://\(cluster.bootstrapServers)/\(topic)?security_protocol=SASL_PLAINTEXT",
             ["SASL_USERNAME": "svc", "SASL_PASSWORD": marker]),
            ("svc:\(marker)@\(cluster.bootstrapServers)", [:]),
            ("kafka://\(cluster.bootstrapServers)/\(topic)", [:]),
        ]
        for (connection, environment) in strings {
            let notifier = try KafkaNotifier(connectionString: connection, environment: environment, deliveryTimeout: 2)
            let started = Date()
            await XCTAssertThrowsErrorAsync(try await notifier.publish(makeMessage())) { error in
                let elapsed = Date().timeIntervalSince(started)
                XCTAssertGreaterThanOrEqual(elapsed, 1.9)
                // Hang guard: without the 2 s delivery timeout librdkafka would wait its default 300 s.
                XCTAssertLessThan(elapsed, 20, "publish must give up at the 2 s delivery timeout")
                guard case NotifierError.deliveryFailed(let text) = error else { return XCTFail("\(error)") }
                XCTAssertTrue(text.hasPrefix("Kafka delivery to topic \(notifier.configuration.topic) at brokers \(cluster.bootstrapServers) failed: "), text)
                XCTAssertFalse(text.contains(marker), "password leaked: \(text)")
                XCTAssertFalse(notifier.displayName.contains(marker))
            }
            let closing = Date()
            await notifier.close()
            XCTAssertLessThan(Date().timeIntervalSince(closing), 20, "hang guard: close flushes at most the delivery timeout")
        }
    }

    /// A stopping run (its task cancelled) does not sit out the delivery timeout while brokers are down
    /// (close still flushes for up to the timeout afterwards).
    func testCancelledPublishStopsWaitingAtOnce() async throws {
        try cluster.takeDown()
        let notifier = try KafkaNotifier(connectionString: "kafka://\(cluster.bootstrapServers)/\(topic)",
                                         environment: [:], deliveryTimeout: 5)
        let message = makeMessage(9)
        let publishing = Task { try await notifier.publish(message) }
        try await Task.sleep(for: .milliseconds(500))
        let cancelled = Date()
        publishing.cancel()
        await XCTAssertThrowsErrorAsync(try await publishing.value) { error in
            XCTAssertLessThan(Date().timeIntervalSince(cancelled), 1.0, "the wait must end within a poll of the cancellation")
            guard case NotifierError.deliveryFailed(let text) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(text.contains("the run is stopping"), text)
        }
        await notifier.close()
    }

    /// librdkafka 2.0.2's mock brokers refuse SASL handshakes: the failure must be reported with the
    /// authentication reason and without the password.
    func testAuthenticationFailureIsExplainedWithoutPassword() async throws {
        let captured = CapturedLog()
        var logger = Logger(label: "kafka-test") { _ in CapturingLogHandler(log: captured) }
        logger.logLevel = .trace
        // librdkafka's own debug output (security, config) goes through the same scrubbed log callback.
        let notifier = try KafkaNotifier(connectionString: "kafka://\(cluster.bootstrapServers)/\(topic)?security_protocol=SASL_PLAINTEXT",
                                         environment: ["SASL_USERNAME": "svc", "SASL_PASSWORD": marker],
                                         extraProperties: ["debug": "security,broker,conf"], deliveryTimeout: 2, logger: logger)
        await XCTAssertThrowsErrorAsync(try await notifier.publish(makeMessage(8))) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("SASL"), text)
            XCTAssertFalse(text.contains(marker), "password leaked: \(text)")
        }
        await notifier.close()
        let lines = captured.lines
        XCTAssertTrue(lines.contains { $0.contains("SASL") }, "librdkafka logs reach the logger")
        XCTAssertTrue(lines.contains { $0.contains("***") }, "the configuration summary shows the password as ***")
        XCTAssertFalse(lines.contains { $0.contains(marker) }, "password leaked into logs")
    }

    func testDeliversAfterBrokersComeBack() async throws {
        try cluster.takeDown()
        let notifier = try KafkaNotifier(connectionString: "kafka://\(cluster.bootstrapServers)/\(topic)",
                                         environment: [:], deliveryTimeout: 10)
        addTeardownBlock { await notifier.close() }
        let cluster = self.cluster!
        DispatchQueue.global().asyncAfter(deadline: .now() + 1) { try? cluster.bringUp() }
        try await notifier.publish(makeMessage(3))
        XCTAssertEqual(try consume(1).map(\.key), ["miso_cts:cts_3.json"])
    }

    func testInjectedProduceErrorsAreRetried() async throws {
        // NOT_ENOUGH_REPLICAS counts against `retries` (see the control test below); NOT_LEADER also refreshes metadata.
        cluster.pushRequestErrors([RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
                                   RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS])
        let notifier = try KafkaNotifier(connectionString: "kafka://\(cluster.bootstrapServers)/\(topic)",
                                         environment: [:], deliveryTimeout: 10)
        addTeardownBlock { await notifier.close() }
        try await notifier.publish(makeMessage(4))
        let records = try consume(2, timeout: 1.5)
        XCTAssertEqual(records.map(\.key), ["miso_cts:cts_4.json"], "delivered exactly once after retries")
    }

    /// The control for the test above: with retries off, the same injected error reaches the caller.
    func testInjectedProduceErrorFailsWithoutRetries() async throws {
        cluster.pushRequestErrors([RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS])
        let notifier = try KafkaNotifier(connectionString: "kafka://\(cluster.bootstrapServers)/\(topic)",
                                         environment: [:], extraProperties: ["retries": "0"], deliveryTimeout: 5)
        addTeardownBlock { await notifier.close() }
        await XCTAssertThrowsErrorAsync(try await notifier.publish(makeMessage(9))) { error in
            XCTAssertTrue("\(error)".contains("NOT_ENOUGH_REPLICAS"), "\(error)")
        }
    }

    func testNonRetriableProduceErrorIsReported() async throws {
        cluster.pushRequestErrors([RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED])
        let notifier = try KafkaNotifier(connectionString: "kafka://\(cluster.bootstrapServers)/\(topic)",
                                         environment: [:], deliveryTimeout: 5)
        addTeardownBlock { await notifier.close() }
        await XCTAssertThrowsErrorAsync(try await notifier.publish(makeMessage(5))) { error in
            XCTAssertTrue("\(error)".contains("TOPIC_AUTHORIZATION_FAILED"), "\(error)")
        }
    }

    func testConcurrentPublishesEachGetTheirOwnReport() async throws {
        let notifier = try KafkaNotifier(connectionString: "kafka://\(cluster.bootstrapServers)/\(topic)",
                                         environment: [:], deliveryTimeout: 10)
        addTeardownBlock { await notifier.close() }
        let messages = (0..<12).map { makeMessage(100 + $0) }
        let errors = await withTaskGroup(of: (any Error)?.self) { group in
            for message in messages {
                group.addTask {
                    do { try await notifier.publish(message); return nil } catch { return error }
                }
            }
            return await group.compactMap { $0 }.reduce(into: [any Error]()) { $0.append($1) }
        }
        XCTAssertTrue(errors.isEmpty, "\(errors)")
        let keys = Set(try consume(12).compactMap(\.key))
        XCTAssertEqual(keys, Set((0..<12).map { "miso_cts:cts_\(100 + $0).json" }))
    }

    func testPublishAfterCloseThrowsAndCloseIsIdempotent() async throws {
        let notifier = try KafkaNotifier(connectionString: cluster.bootstrapServers, environment: [:])
        await notifier.close()
        await notifier.close()
        await XCTAssertThrowsErrorAsync(try await notifier.publish(makeMessage())) { error in
            XCTAssertTrue("\(error)".contains("closed"), "\(error)")
        }
    }

    /// A stopping run closes its notifier from a cancelled task: the close must still happen.
    func testCloseFromACancelledTaskStillCloses() async throws {
        let notifier = try KafkaNotifier(connectionString: "kafka://\(cluster.bootstrapServers)/\(topic)", environment: [:])
        let closing = Task {
            try? await Task.sleep(for: .seconds(60))  // ends at once: the task is cancelled
            XCTAssertTrue(Task.isCancelled)
            await notifier.close()
        }
        closing.cancel()
        await closing.value
        await XCTAssertThrowsErrorAsync(try await notifier.publish(makeMessage())) { error in
            XCTAssertTrue("\(error)".contains("closed"), "\(error)")
        }
    }

    func testExtraPropertiesAreAppliedAndBadOnesNamed() async throws {
        let notifier = try KafkaNotifier(connectionString: "kafka://\(cluster.bootstrapServers)/\(topic)", environment: [:],
                                         extraProperties: ["compression.type": "gzip", "acks": "all"])
        XCTAssertEqual(notifier.compressionCodec, "gzip")
        try await notifier.publish(makeMessage(6))
        await notifier.close()
        XCTAssertEqual(try consume(1).map(\.key), ["miso_cts:cts_6.json"])

        XCTAssertThrowsError(try KafkaNotifier(connectionString: cluster.bootstrapServers, environment: [:],
                                               extraProperties: ["no.such.property": "1"])) { error in
            XCTAssertTrue("\(error)".contains("no.such.property"), "\(error)")
        }
        XCTAssertThrowsError(try KafkaNotifier(connectionString: cluster.bootstrapServers, environment: [:],
                                               extraProperties: ["linger.ms": "soon"])) { error in
            XCTAssertTrue("\(error)".contains("linger.ms"), "\(error)")
        }
        XCTAssertThrowsError(try KafkaNotifier(connectionString: "u:\(marker)@\(cluster.bootstrapServers)", environment: [:],
                                               extraProperties: ["sasl.mechanism": "NOPE"])) { error in
            XCTAssertTrue("\(error)".contains("NOPE"), "\(error)")
            XCTAssertFalse("\(error)".contains(marker), "\(error)")
        }
    }

    /// librdkafka's `builtin.features` (e.g. `gzip,snappy,ssl,sasl,...,zstd`).
    private static func builtinFeatures() -> [String] {
        guard let conf = rd_kafka_conf_new() else { return [] }
        defer { rd_kafka_conf_destroy(conf) }
        var size = 0
        guard rd_kafka_conf_get(conf, "builtin.features", nil, &size) == RD_KAFKA_CONF_OK, size > 0 else { return [] }
        var buffer = [CChar](repeating: 0, count: size)
        _ = rd_kafka_conf_get(conf, "builtin.features", &buffer, &size)
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }.split(separator: ",").map(String.init)
    }
}
