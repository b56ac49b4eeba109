import Foundation
import TestSupport
import XCTest

/// `scraper enqueue`, `scraper worker` and `scraper queue` through the built binary, against
/// redis-server, moto (a versioned bucket) and the simulator, with several real worker processes.
final class WorkQueueEndToEndTests: XCTestCase {
    var sim: MisoSimulatorProcess!
    var moto: MotoServer!
    var redis: RedisServer!
    var scraper: ScraperInvocation!

    override func setUpWithError() throws {
        sim = try MisoSimulatorProcess(arguments: ["--nodes", "2"])
        moto = try MotoServer()
        redis = try RedisServer()
        try moto.createBucket("queue-bucket")
        scraper = ScraperInvocation(environment: ["AWS_ENDPOINT_URL": moto.endpoint, "AWS_REGION": "us-east-1",
                                                  "AWS_ACCESS_KEY_ID": MotoServer.setupAccessKeyID,
                                                  "AWS_SECRET_ACCESS_KEY": MotoServer.setupSecretAccessKey])
        try scraper.writeConfig("""
        defaults:
          storage: {type: s3, bucket: queue-bucket}
          registry: {type: redis, host: 127.0.0.1, port: \(redis.port)}
          retry: {max_attempts: 1}
        collectors:
          miso-cts:
            type: miso.cts
            api_url: \(sim.url(MisoSimulatorProcess.ctsPath))
            http: {rate_limit_per_minute: 0}
        """)
    }

    override func tearDown() {
        sim?.stop(); moto?.stop(); redis?.stop()
        if let directory = scraper?.directory { try? FileManager.default.removeItem(at: directory) }
    }

    private func json(_ line: Substring?) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data((line ?? "").utf8)) as? [String: Any], String(line ?? ""))
    }

    private func lastLine(_ text: String) -> Substring? { text.split(separator: "\n").last }

    private func queueStatus() throws -> [String: Any] {
        let status = try scraper.run(["queue", "status"])
        XCTAssertEqual(status.status, 0, status.transcript)
        return try json(lastLine(status.stdout))
    }

    private func ctsKeys() throws -> [String] {
        try moto.listKeys("queue-bucket").filter { $0.hasPrefix("sourcing/miso_coordinated_transaction_scheduling/") }
    }

    func testAKilledWorkersEntriesAreTakenOverAndEveryDayIsStoredOnce() throws {
        _ = try sim.configure([("latency_ms", "300")])
        let enqueue = try scraper.run(["enqueue", "miso-cts", "--start-date", "2025-01-01", "--end-date", "2025-01-12"])
        XCTAssertEqual(enqueue.status, 0, enqueue.transcript)
        let enqueued = try json(lastLine(enqueue.stdout))
        XCTAssertEqual(enqueued["enqueued"] as? Int, 12)
        XCTAssertEqual(enqueued["stream"] as? String, "queue:dev:candidates")

        let started = Date()
        let workers = try (0..<3).map { n in
            try scraper.start(["worker", "--concurrency", "1", "--claim-idle", "2", "--exit-when-empty", "--log-format", "json",
                               "--consumer", "worker-\(n)"])
        }
        defer { workers.forEach { $0.stop() } }
        // Kill worker 0 just after it stored its first day: it is then fetching its next one.
        let deadline = Date().addingTimeInterval(60)
        while !workers[0].stderr.contains("\"stored "), Date() < deadline, workers[0].isRunning { usleep(20_000) }
        usleep(100_000)
        kill(workers[0].process.processIdentifier, SIGKILL)
        _ = workers[0].wait(timeout: 10)
        let killedStored = ScraperLogLine.parse(workers[0].stderr).filter { $0.message.hasPrefix("stored ") }.count
        XCTAssertGreaterThanOrEqual(killedStored, 1)

        var collected = killedStored
        for worker in workers.dropFirst() {
            XCTAssertEqual(worker.wait(timeout: 120), 0, worker.stderr)
            let summary = try json(lastLine(worker.stdout))
            collected += summary["collected"] as? Int ?? 0
            XCTAssertEqual(summary["dead_lettered"] as? Int, 0)
        }
        let seconds = Date().timeIntervalSince(started)
        let keys = try ctsKeys()
        XCTAssertEqual(keys.count, 12, "every day stored: \(keys)")
        for key in keys { XCTAssertEqual(try moto.versionCount("queue-bucket", key: key), 1, "\(key) stored once (one version)") }
        XCTAssertEqual(collected, 12, "each day collected by exactly one worker")
        XCTAssertEqual(try RegistryCommandTests.redisKeys(port: redis.port, db: 0).count, 12, "registered once each")
        let status = try queueStatus()
        XCTAssertEqual(status["length"] as? Int, 0, "\(status)")
        XCTAssertEqual(status["pending"] as? Int, 0, "\(status)")
        XCTAssertEqual(status["dead_letters"] as? Int, 0, "\(status)")
        let requests = try sim.stats().requests
        XCTAssertGreaterThanOrEqual(requests, 12)
        print("killed-worker figures: objects \(keys.count), versions \(keys.count), registrations 12, requests \(requests), "
              + "worker 0 stored \(killedStored) before SIGKILL, \(String(format: "%.1f", seconds)) s")
    }

    func testAnEntryThatAlwaysFailsEndsInTheDeadLetterStreamAndCanBeRetriedOrPurged() throws {
        try sim.setFault("http-500", count: 0)
        XCTAssertEqual(try scraper.run(["enqueue", "miso-cts", "--date", "2025-01-05"]).status, 0)
        let worker = try scraper.run(["worker", "--claim-idle", "0.3", "--max-deliveries", "2", "--exit-when-empty", "--log-format", "json"],
                                     timeout: 120)
        XCTAssertEqual(worker.status, 0, worker.transcript)
        let summary = try json(lastLine(worker.stdout))
        XCTAssertEqual(summary["dead_lettered"] as? Int, 1, worker.stdout)
        XCTAssertEqual(summary["failed"] as? Int, 2, "two deliveries failed first: \(worker.stdout)")
        XCTAssertEqual(try sim.stats().requests, 2, "one request per delivery, then no more")
        var status = try queueStatus()
        XCTAssertEqual(status["dead_letters"] as? Int, 1)
        XCTAssertEqual(status["length"] as? Int, 0)
        XCTAssertTrue(worker.stderr.contains("moved to queue:dev:dead: delivered 3 times (max_deliveries 2)"), worker.stderr)

        try sim.clearFault()
        let retried = try scraper.run(["queue", "retry-dead"])
        XCTAssertEqual(try json(lastLine(retried.stdout))["requeued"] as? Int, 1, retried.transcript)
        let again = try scraper.run(["worker", "--exit-when-empty"], timeout: 120)
        XCTAssertEqual(try json(lastLine(again.stdout))["collected"] as? Int, 1, again.transcript)
        XCTAssertEqual(try ctsKeys().count, 1)

        XCTAssertEqual(try scraper.run(["enqueue", "miso-cts", "--date", "2025-01-06"]).status, 0)
        XCTAssertEqual(try scraper.run(["queue", "purge"]).status, 64, "purge asks for --yes")
        let purged = try scraper.run(["queue", "purge", "--yes"])
        XCTAssertEqual(try json(lastLine(purged.stdout))["purged"] as? Int, 1, purged.transcript)
        status = try queueStatus()
        XCTAssertEqual(status["length"] as? Int, 0)
        XCTAssertEqual(status["dead_letters"] as? Int, 0)
    }

    func testEnqueueingARangeTwiceStoresNothingTwice() throws {
        for _ in 0..<2 {
            let enqueue = try scraper.run(["enqueue", "miso-cts", "--start-date", "2025-02-01", "--end-date", "2025-02-03"])
            XCTAssertEqual(try json(lastLine(enqueue.stdout))["enqueued"] as? Int, 3, enqueue.transcript)
        }
        XCTAssertEqual(try queueStatus()["length"] as? Int, 6)
        let worker = try scraper.run(["worker", "--concurrency", "2", "--exit-when-empty"], timeout: 120)
        XCTAssertEqual(worker.status, 0, worker.transcript)
        let summary = try json(lastLine(worker.stdout))
        XCTAssertEqual(summary["collected"] as? Int, 3, worker.stdout)
        XCTAssertEqual(summary["skipped_duplicate"] as? Int, 3, "the hash registry skips the second copy of each: \(worker.stdout)")
        let keys = try ctsKeys()
        XCTAssertEqual(keys.count, 3)
        for key in keys { XCTAssertEqual(try moto.versionCount("queue-bucket", key: key), 1) }
        XCTAssertEqual(try queueStatus()["length"] as? Int, 0)

        let embedded = ScraperInvocation()
        defer { try? FileManager.default.removeItem(at: embedded.directory) }
        let refused = try embedded.run(["enqueue", "miso-cts", "--date", "2025-02-01"])
        XCTAssertEqual(refused.status, 64, refused.transcript)
        XCTAssertTrue(refused.stderr.contains("the work queue lives in Redis"), refused.stderr)
    }
}
