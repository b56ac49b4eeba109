import CollectionFramework
import TestSupport
import XCTest

/// Kills and interrupts the built `scraper` at every step of the pipeline and checks that a rerun
/// converges: every snapshot stored once, registered once, nothing partial left behind.
///
/// Kill points are deterministic: `SCRAPER_TEST_KILL_AFTER=fetch|store|notify|register` makes the
/// process SIGKILL itself right after that stage of its first candidate (see FaultKillHook).
final class CrashSafetyTests: XCTestCase {
    var sim: MisoSimulatorProcess!
    var kafka: KafkaMockCluster!
    let topic = "scraper-notifications"

    override func setUpWithError() throws {
        sim = try MisoSimulatorProcess(arguments: ["--today", "2025-01-20", "--nodes", "3"])
        kafka = try KafkaMockCluster(brokers: 1)
        try kafka.createTopic(topic)
    }

    override func tearDown() {
        sim?.stop()
        kafka?.stop()
    }

    func arguments(_ first: String, _ last: String, redis: RedisServer? = nil, extra: [String] = []) -> [String] {
        var args = ["run", "miso-cts", "--api-url", sim.url(MisoSimulatorProcess.ctsPath), "--rate-limit", "0",
                    "--log-format", "json", "--start-date", first, "--end-date", last,
                    "--kafka-connection-string", kafka.bootstrapServers]
        if let redis { args += ["--redis-host", "127.0.0.1", "--redis-port", String(redis.port), "--allow-mixed-sharing"] }
        return args + extra
    }

    func registry(_ scraper: ScraperInvocation, _ redis: RedisServer?) throws -> any HashRegistry {
        if let redis { return try RedisHashRegistry(configuration: RedisConfiguration(host: "127.0.0.1", port: redis.port, environment: "dev")) }
        return try scraper.registry()
    }

    func audit(_ scraper: ScraperInvocation, _ redis: RedisServer?, _ expected: [String: Data]) async throws -> [String] {
        let store: any ObjectStore = scraper.store
        return await SnapshotAudit.problems(storedKeys: scraper.store.keys(under: SnapshotAudit.ctsPrefix), fetch: { try await store.get(key: $0) },
                               registry: try registry(scraper, redis), expected: expected)
    }

    func testKilledAtEveryStepThenRerunStoresAndRegistersEachSnapshotOnce() async throws {
        let days = SnapshotAudit.januaryDays(from: 18, count: 3)
        let expected = try SnapshotAudit.ctsDays(days, sim: sim)
        let redis = try RedisServer()
        defer { redis.stop() }
        for backend in [nil, redis] as [RedisServer?] {
            for stage in ["fetch", "store", "notify", "register"] {
                let label = "\(stage) / \(backend == nil ? "embedded registry" : "redis")"
                if let backend { try backend.restart() }  // an empty registry for each stage
                var scraper = ScraperInvocation()
                scraper.environment["SCRAPER_TEST_KILL_AFTER"] = stage
                let killed = try scraper.run(arguments(days[0], days[2], redis: backend, extra: ["--concurrency", "1"]))
                XCTAssertEqual(killed.status, SIGKILL, "\(label): the hook killed the process: \(killed.transcript)")
                XCTAssertNil(killed.summary, "\(label): no summary from a killed process")
                let storedAfterKill = scraper.store.keys(under: SnapshotAudit.ctsPrefix).count
                let registeredAfterKill = try await registry(scraper, backend).count(datasetGroup: SnapshotAudit.ctsGroup)
                XCTAssertEqual(storedAfterKill, stage == "fetch" ? 0 : 1, label)
                XCTAssertEqual(registeredAfterKill, stage == "register" ? 1 : 0, label)

                scraper.environment = [:]
                let rerun = try scraper.run(arguments(days[0], days[2], redis: backend))
                XCTAssertEqual(rerun.status, 0, "\(label): \(rerun.transcript)")
                XCTAssertEqual(rerun.count("collected"), stage == "register" ? 2 : 3, "\(label): \(rerun.transcript)")
                XCTAssertEqual(rerun.count("skipped_duplicate"), stage == "register" ? 1 : 0, "\(label): \(rerun.transcript)")
                await XCTAssertEqualAsync(try await audit(scraper, backend, expected), [], label)
                XCTAssertEqual(partialFiles(under: scraper.directory), [], "\(label): no partial objects")

                let again = try scraper.run(arguments(days[0], days[2], redis: backend))
                XCTAssertEqual(again.count("skipped_duplicate"), 3, "\(label): converged: \(again.transcript)")
            }
        }
        // Every snapshot was announced at least once (a kill between notify and register announces twice: at-least-once).
        let consumer = try KafkaTestConsumer(bootstrapServers: kafka.bootstrapServers, topic: topic)
        let records = try consumer.read(count: 1000, timeout: 8)
        let urns = Set(records.compactMap { $0.key?.split(separator: ":").last.map(String.init) })
        XCTAssertEqual(urns, Set(days.map { "cts_\($0.replacingOccurrences(of: "-", with: "")).json" }), "\(records.count) records")
    }

    func testInterruptMidBackfillFinishesTheCurrentCandidateAndReportsTheRest() async throws {
        let days = SnapshotAudit.januaryDays(from: 8, count: 8)
        let expected = try SnapshotAudit.ctsDays(days, sim: sim)
        try sim.configure([("latency_ms", "600")])
        for sig in [SIGINT, SIGTERM] {
            let scraper = ScraperInvocation()
            let child = try scraper.start(arguments(days.first!, days.last!, extra: ["--concurrency", "1"]))
            let deadline = Date().addingTimeInterval(30)
            while !child.stderr.contains("stored "), Date() < deadline { usleep(50_000) }
            child.send(sig)
            let status = child.wait(timeout: 60)
            let label = sig == SIGINT ? "SIGINT" : "SIGTERM"
            XCTAssertEqual(status, 1, "\(label): \(child.stderr)")
            let summary = try XCTUnwrap(summaryObject(child.stdout), "\(label): the summary is printed: \(child.stdout)")
            let collected = try XCTUnwrap(summaryCount(summary, "collected"))
            let notAttempted = try XCTUnwrap(summaryCount(summary, "not_attempted"))
            XCTAssertGreaterThan(collected, 0, label)
            XCTAssertGreaterThan(notAttempted, 0, "\(label): no new candidates after the signal")
            XCTAssertEqual(collected + notAttempted, days.count, "\(label): the one in progress finished: \(summary.serialized())")
            XCTAssertEqual(summary["interrupted"], .bool(true))
            XCTAssertEqual(partialFiles(under: scraper.directory), [], "\(label): no partial objects")
            let done = Dictionary(uniqueKeysWithValues: expected.sorted { $0.key < $1.key }.prefix(collected).map { ($0.key, $0.value) })
            await XCTAssertEqualAsync(try await audit(scraper, nil, done), [], "\(label): what was collected is stored and registered, nothing else")
            XCTAssertTrue(ScraperLogLine.parse(child.stderr).contains { $0.level == "warning" && $0.message.contains("received \(label)") })

            try sim.configure([("latency_ms", "0")])
            let rerun = try scraper.run(arguments(days.first!, days.last!))
            XCTAssertEqual(rerun.status, 0, rerun.transcript)
            XCTAssertEqual(rerun.count("collected"), notAttempted, rerun.transcript)
            await XCTAssertEqualAsync(try await audit(scraper, nil, expected), [], "\(label): the rerun converged")
            try sim.configure([("latency_ms", "600")])
        }
    }

    func testTwoProcessesOnTheSameWorkStoreEachContentOnce() async throws {
        let days = SnapshotAudit.januaryDays(from: 8, count: 8)
        let expected = try SnapshotAudit.ctsDays(days, sim: sim)
        try sim.configure([("latency_ms", "100")])
        let redis = try RedisServer()
        defer { redis.stop() }
        for backend in [nil, redis] as [RedisServer?] {
            let label = backend == nil ? "embedded registry" : "redis"
            let scraper = ScraperInvocation()  // one working directory: one store (and one embedded registry)
            let children = try (0..<2).map { _ in try scraper.start(arguments(days.first!, days.last!, redis: backend, extra: ["--concurrency", "2"])) }
            let statuses = children.map { $0.wait(timeout: 120) }
            XCTAssertEqual(statuses, [0, 0], "\(label): \(children.map(\.stderr))")
            let summaries = children.map { summaryObject($0.stdout) }
            let collected = summaries.compactMap { summaryCount($0, "collected") }.reduce(0, +)
            let skipped = summaries.compactMap { summaryCount($0, "skipped_duplicate") }.reduce(0, +)
            XCTAssertEqual(collected, days.count, "\(label): each content stored by exactly one process: \(children.map(\.stdout))")
            XCTAssertEqual(skipped, days.count, label)
            await XCTAssertEqualAsync(try await audit(scraper, backend, expected), [], label)
        }
    }
}
