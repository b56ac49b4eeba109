import CollectionFramework
import Foundation
import TestSupport
import XCTest

/// The built `scraper` backfilling several days while Kafka is down: announcements fail (counted in
/// the summary and the metric), collection does not wait a delivery timeout per stored object.
final class KafkaOutageEndToEndTests: XCTestCase {
    let days = (1...6).map { String(format: "2025-01-%02d", $0) }
    let deliveryTimeout = 2.0

    func testABrokerOutageCostsOneBoundedWaitPerRunNotOnePerObject() throws {
        let sim = try MisoSimulatorProcess(arguments: ["--today", "2025-01-20", "--nodes", "2"])
        defer { sim.stop() }
        let kafka = try KafkaMockCluster(brokers: 1)
        defer { kafka.stop() }
        try kafka.createTopic("scraper-notifications")
        try kafka.takeDown()

        func backfill(kafka bootstrap: String?) throws -> (ScraperResult, Double, String) {
            let scraper = ScraperInvocation()
            try scraper.writeConfig("""
            defaults:
              notifications: {delivery_timeout: \(deliveryTimeout)}
            collectors:
              miso-cts: {type: miso.cts}
            """)
            let metricsFile = scraper.directory.appendingPathComponent("run.prom").path
            var arguments = ["run", "miso-cts", "--api-url", sim.url(MisoSimulatorProcess.ctsPath), "--rate-limit", "0",
                             "--start-date", days.first!, "--end-date", days.last!, "--concurrency", "1", "--log-format", "json",
                             "--metrics-file", metricsFile]
            if let bootstrap { arguments += ["--kafka-connection-string", bootstrap] }
            let started = Date()
            let result = try scraper.run(arguments)
            let seconds = Date().timeIntervalSince(started)
            return (result, seconds, (try? String(contentsOfFile: metricsFile, encoding: .utf8)) ?? "")
        }

        let (without, baseline, _) = try backfill(kafka: nil)
        XCTAssertEqual(without.count("collected"), days.count, without.transcript)
        let (down, outage, metrics) = try backfill(kafka: kafka.bootstrapServers)
        XCTAssertEqual(down.status, 0, "a failed notification is never fatal: \(down.transcript)")
        XCTAssertEqual(down.count("collected"), days.count, down.transcript)
        XCTAssertEqual(down.count("notification_failures"), days.count, down.transcript)
        let failures = metrics.split(separator: "\n").first { $0.hasPrefix("scraper_notification_failures_total{") }
        XCTAssertEqual(failures.flatMap { $0.split(separator: " ").last.flatMap { Double($0) } }, Double(days.count),
                       "the failure counter: \(failures.map(String.init) ?? "missing")\n\(metrics)")

        // Waiting per object would add days.count delivery timeouts to the run; one wait at the end adds one.
        // The bound sits halfway, relative to the same run without Kafka.
        let extra = outage - baseline
        XCTAssertLessThan(extra, Double(days.count) / 2 * deliveryTimeout,
                          "Kafka down added \(extra) s to a \(baseline) s run of \(days.count) objects (delivery timeout \(deliveryTimeout) s)")
    }
}
