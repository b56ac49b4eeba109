import CollectionFramework
import Foundation
import TestSupport
import XCTest

/// ``KafkaNotifier/enqueue(_:)`` and ``KafkaNotifier/settle(dataset:)`` against librdkafka's mock
/// cluster: enqueueing never waits for a report, one settle per run counts what failed.
final class KafkaEnqueueTests: XCTestCase {
    private var cluster: KafkaMockCluster!
    private let topic = "scraper-enqueue-\(UUID().uuidString.prefix(8).lowercased())"

    override func setUpWithError() throws {
        cluster = try KafkaMockCluster(brokers: 1)
        try cluster.createTopic(topic)
    }

    override func tearDown() {
        cluster?.stop()
        cluster = nil
    }

    private func message(_ n: Int, dataset: String = "miso_cts") -> NotificationMessage {
        let stored = StoredObject(key: "sourcing/\(dataset)/x_\(n).json.gz", location: "s3://b/sourcing/\(dataset)/x_\(n).json.gz",
                                  versionID: nil, etag: "e\(n)", size: 10)
        return NotificationMessage.make(dataset: dataset, environment: "dev", identifier: "x_\(n).json.gz", stored: stored,
                                        sourceURL: "http://127.0.0.1:1/\(n)", rawSize: 20, rawSHA256: String(repeating: "cd", count: 32),
                                        candidateMetadata: [:], additions: [:])
    }

    func testEnqueuedMessagesAreDeliveredAndSettleCountsNoFailure() async throws {
        let notifier = try KafkaNotifier(connectionString: "kafka://\(cluster.bootstrapServers)/\(topic)", environment: [:], deliveryTimeout: 10)
        for n in 1...3 { try await notifier.enqueue(message(n)) }
        let settlement = await notifier.settle(dataset: "miso_cts")
        XCTAssertEqual(settlement, NotificationSettlement(), "every report was a success")
        await notifier.close()
        let consumer = try KafkaTestConsumer(bootstrapServers: cluster.bootstrapServers, topic: topic)
        defer { consumer.close() }
        XCTAssertEqual(Set(try consumer.read(count: 3, timeout: 10).map(\.key)), ["miso_cts:x_1.json", "miso_cts:x_2.json", "miso_cts:x_3.json"])
    }

    func testWithBrokersDownEnqueueDoesNotWaitAndOneSettleCountsEveryFailure() async throws {
        try cluster.takeDown()
        let timeout = 1.5
        let notifier = try KafkaNotifier(connectionString: "kafka://\(cluster.bootstrapServers)/\(topic)", environment: [:], deliveryTimeout: timeout)
        // Event order, not timing: every enqueue returns before the first report could have timed out,
        // so none of them has a result yet.
        let enqueueStarted = Date()
        for n in 1...4 { try await notifier.enqueue(message(n)) }
        try await notifier.enqueue(message(9, dataset: "other"))
        let enqueueSeconds = Date().timeIntervalSince(enqueueStarted)
        XCTAssertLessThan(enqueueSeconds, timeout, "five enqueues took longer than one delivery timeout: they waited for reports")

        let settleStarted = Date()
        let settlement = await notifier.settle(dataset: "miso_cts")
        let settleSeconds = Date().timeIntervalSince(settleStarted)
        XCTAssertEqual(settlement.total, 4, "every message of the dataset failed or never got a report: \(settlement)")
        XCTAssertTrue(settlement.lastError?.contains(topic) == true, settlement.lastError ?? "no error text")
        XCTAssertLessThan(settleSeconds, 2 * timeout, "settle waits once, bounded by the delivery timeout")
        await XCTAssertEqualAsync(await notifier.settle(dataset: "miso_cts"), NotificationSettlement(), "counted once")
        await XCTAssertEqualAsync(await notifier.settle(dataset: "other").total, 1, "datasets are counted apart")

        let closeStarted = Date()
        await notifier.close()
        XCTAssertLessThan(Date().timeIntervalSince(closeStarted), timeout, "close does not wait a second time for settled messages")
    }
}
