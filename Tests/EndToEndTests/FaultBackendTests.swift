import CollectionFramework
import TestSupport
import XCTest

/// The built `scraper` while its backends fail: Redis down, restarted or stopped mid-run; S3
/// answering 5xx, slowly, 403 or without the bucket; Kafka brokers down. Each ends with the
/// documented exit code and message, and nothing registered that is not stored.
final class FaultBackendTests: XCTestCase {
    var sim: MisoSimulatorProcess!
    var scraper: ScraperInvocation!
    let bucket = "scraper-faults"

    override func setUpWithError() throws {
        sim = try MisoSimulatorProcess(arguments: ["--today", "2025-01-20", "--nodes", "2"])
        scraper = ScraperInvocation()
        // The audits read the embedded registry beside S3, and the Redis faults use a local folder:
        // mixes of private and shared state, allowed here on purpose.
        try scraper.writeConfig("""
        defaults:
          registry: {type: embedded, allow_mixed_sharing: true}
        collectors:
          miso-cts: {type: miso.cts}
        """)
    }

    override func tearDown() {
        sim?.stop()
    }

    func base(_ first: String, _ last: String) -> [String] {
        ["run", "miso-cts", "--api-url", sim.url(MisoSimulatorProcess.ctsPath), "--rate-limit", "0", "--log-format", "json",
         "--start-date", first, "--end-date", last, "--concurrency", "1"]
    }

    func redisArgs(_ redis: RedisServer) -> [String] { ["--redis-host", "127.0.0.1", "--redis-port", String(redis.port)] }

    func redisRegistry(_ redis: RedisServer) throws -> RedisHashRegistry {
        try RedisHashRegistry(configuration: RedisConfiguration(host: "127.0.0.1", port: redis.port, environment: "dev"))
    }

    /// Waits until the child has logged `count` stored objects.
    func waitForStored(_ child: ChildProcess, count: Int = 1) {
        let deadline = Date().addingTimeInterval(30)
        while ScraperLogLine.parse(child.stderr).filter({ $0.message.hasPrefix("stored ") }).count < count, Date() < deadline, child.isRunning {
            usleep(30_000)
        }
    }

    // MARK: Redis

    func testRedisDownAtStartStopsBeforeAnyDownload() async throws {
        let result = try scraper.run(base("2025-01-19", "2025-01-20") + ["--redis-host", "127.0.0.1", "--redis-port", String(Loopback.freePort())])
        XCTAssertEqual(result.status, 69, result.transcript)
        XCTAssertTrue(result.stderr.contains("cannot connect to Redis"), result.stderr)
        XCTAssertEqual(try sim.stats().requests, 0)
        XCTAssertEqual(scraper.store.keys(), [])
    }

    func testRedisRestartedMidRunIsReconnectedAndARerunConverges() async throws {
        let redis = try RedisServer()
        defer { redis.stop() }
        let days = SnapshotAudit.januaryDays(from: 10, count: 6)
        try sim.configure([("latency_ms", "400")])
        let child = try scraper.start(base(days.first!, days.last!) + redisArgs(redis))
        waitForStored(child, count: 2)
        try redis.restart()  // same port, data gone
        XCTAssertEqual(child.wait(timeout: 90), 0, child.stderr)
        let summary = summaryObject(child.stdout)
        XCTAssertEqual(summaryCount(summary, "collected"), days.count, child.stdout)
        XCTAssertEqual(scraper.store.keys(under: SnapshotAudit.ctsPrefix).count, days.count)
        let survivors = try await redisRegistry(redis).count(datasetGroup: SnapshotAudit.ctsGroup)
        XCTAssertGreaterThan(survivors, 0, "registrations after the restart reached the new server")
        XCTAssertLessThan(survivors, days.count, "the restart really wiped the earlier records")

        // The records lost with the old server's memory: the rerun re-stores those idempotently.
        try sim.configure([("latency_ms", "0")])
        let rerun = try scraper.run(base(days.first!, days.last!) + redisArgs(redis))
        XCTAssertEqual(rerun.status, 0, rerun.transcript)
        XCTAssertEqual(rerun.count("collected"), days.count - survivors, rerun.transcript)
        let expected = try SnapshotAudit.ctsDays(days, sim: sim)
        await XCTAssertEqualAsync(await SnapshotAudit.problems(storedKeys: scraper.store.keys(under: SnapshotAudit.ctsPrefix),
                                              fetch: { try await self.scraper.store.get(key: $0) },
                                              registry: try redisRegistry(redis), expected: expected), [])
    }

    func testRedisStoppedMidRunFailsTheRemainingCandidatesAndRegistersNothingUnstored() async throws {
        let redis = try RedisServer()
        defer { redis.stop() }
        let days = SnapshotAudit.januaryDays(from: 10, count: 6)
        try sim.configure([("latency_ms", "400")])
        let child = try scraper.start(base(days.first!, days.last!) + redisArgs(redis))
        waitForStored(child, count: 2)
        redis.stop()
        XCTAssertEqual(child.wait(timeout: 90), 1, child.stderr)
        let summary = try XCTUnwrap(summaryObject(child.stdout), child.stdout)
        let collected = try XCTUnwrap(summaryCount(summary, "collected"))
        let failed = try XCTUnwrap(summaryCount(summary, "failed"))
        XCTAssertGreaterThanOrEqual(collected, 2)
        XCTAssertGreaterThan(failed, 0)
        XCTAssertEqual(collected + failed, days.count, summary.serialized())
        let errors = ScraperResult.errors(in: summary)
        XCTAssertTrue(errors.allSatisfy { $0.contains("Redis") || $0.contains("registry") }, "\(errors)")
        // Candidates failed on the registry were never collected: only collected ones (plus any stored
        // before a failed registration, which the message says) are in the store.
        let storedButUnregistered = errors.filter { $0.hasPrefix("stored ") }.count
        XCTAssertEqual(scraper.store.keys(under: SnapshotAudit.ctsPrefix).count, collected + storedButUnregistered, errors.joined(separator: "\n"))
    }

    // MARK: S3

    func awsProfile(endpoint: String, accessKey: String = "AKIALOCALSTACK000000", secret: String = "faults-secret-key") throws {
        let aws = scraper.directory.appendingPathComponent(".aws")
        try FileManager.default.createDirectory(at: aws, withIntermediateDirectories: true)
        try "[faults]\naws_access_key_id = \(accessKey)\naws_secret_access_key = \(secret)\n"
            .write(to: aws.appendingPathComponent("credentials"), atomically: true, encoding: .utf8)
        try "[profile faults]\nregion = us-east-1\nendpoint_url = \(endpoint)\n"
            .write(to: aws.appendingPathComponent("config"), atomically: true, encoding: .utf8)
    }

    func s3Args(_ bucket: String) -> [String] { ["--s3-bucket", bucket, "--aws-profile", "faults"] }

    func s3Problems(_ moto: MotoServer, _ expected: [String: Data]) async throws -> [String] {
        let credentials = AWSCredentials(accessKeyID: "AKIALOCALSTACK000000", secretAccessKey: "x", source: .environment)
        let store = S3ObjectStore(configuration: try S3Configuration(bucket: bucket, endpointURL: moto.endpoint, credentials: credentials))
        var problems = await SnapshotAudit.problems(storedKeys: try moto.listKeys(bucket).filter { $0.hasPrefix(SnapshotAudit.ctsPrefix) },
                                              fetch: { try await store.get(key: $0) }, registry: try scraper.registry(), expected: expected)
        for key in expected.keys where try moto.versionCount(bucket, key: key) != 1 {
            problems.append("\(key) has \(try moto.versionCount(bucket, key: key)) versions")
        }
        return problems
    }

    func testS3ServerErrorsAndSlowUploadsAreRetriedAndStoreOnce() async throws {
        let moto = try MotoServer()
        defer { moto.stop() }
        try moto.createBucket(bucket)
        let proxy = try FlakyS3Proxy(upstream: moto.endpoint, failPuts: 2, putDelay: 1.5)
        defer { proxy.stop() }
        try awsProfile(endpoint: proxy.endpoint)
        let result = try scraper.run(base("2025-01-19", "2025-01-20") + s3Args(bucket))
        XCTAssertEqual(result.status, 0, result.transcript)
        XCTAssertEqual(result.count("collected"), 2, result.transcript)
        XCTAssertEqual(proxy.failedPuts, 2, "the 503s were answered and retried")
        await XCTAssertEqualAsync(try await s3Problems(moto, try SnapshotAudit.ctsDays(["2025-01-19", "2025-01-20"], sim: sim)), [])
    }

    func testS3PersistentServerErrorsFailTheCandidateWithoutRegistering() async throws {
        let moto = try MotoServer()
        defer { moto.stop() }
        try moto.createBucket(bucket)
        let proxy = try FlakyS3Proxy(upstream: moto.endpoint, failPuts: 1000)
        defer { proxy.stop() }
        try awsProfile(endpoint: proxy.endpoint)
        let result = try scraper.run(base("2025-01-20", "2025-01-20") + s3Args(bucket))
        XCTAssertEqual(result.status, 1, result.transcript)
        XCTAssertEqual(result.count("failed"), 1)
        XCTAssertTrue(result.errors.first?.contains("store failed") == true && result.errors.first?.contains("503") == true, "\(result.errors)")
        await XCTAssertEqualAsync(try await s3Problems(moto, [:]), [])
    }

    func testS3WrongSecretIsRefusedWith403AndRegistersNothing() async throws {
        let moto = try MotoServer()
        defer { moto.stop() }
        try moto.createBucket(bucket)
        let user = try moto.createUser(named: "faults")
        try moto.enableSignatureChecks()
        try awsProfile(endpoint: moto.endpoint, accessKey: user.accessKeyID, secret: "wrong-secret-marker-403")
        let result = try scraper.run(base("2025-01-20", "2025-01-20") + s3Args(bucket))
        // The 403 (SignatureDoesNotMatch) is met by the reachability check, before any download.
        XCTAssertEqual(result.status, 69, result.transcript)
        XCTAssertTrue(result.stderr.contains("rejected the request signature") && result.stderr.contains("aws_secret_access_key"), result.stderr)
        XCTAssertEqual(try sim.stats().requests, 0)
        XCTAssertFalse(result.stdout.contains("wrong-secret-marker-403") || result.stderr.contains("wrong-secret-marker-403"))
        await XCTAssertEqualAsync(try await scraper.registry().count(datasetGroup: SnapshotAudit.ctsGroup), 0)
    }

    func testS3MissingBucketStopsBeforeAnyDownload() async throws {
        let moto = try MotoServer()
        defer { moto.stop() }
        try awsProfile(endpoint: moto.endpoint)
        let result = try scraper.run(base("2025-01-20", "2025-01-20") + s3Args("no-such-bucket-faults"))
        XCTAssertEqual(result.status, 69, result.transcript)
        XCTAssertTrue(result.stderr.contains("no-such-bucket-faults"), result.stderr)
        XCTAssertEqual(try sim.stats().requests, 0)
        await XCTAssertEqualAsync(try await scraper.registry().count(datasetGroup: SnapshotAudit.ctsGroup), 0)
    }

    // MARK: Kafka

    func testKafkaBrokersDownStillCollectsAndCountsNotificationFailures() async throws {
        let kafka = try KafkaMockCluster(brokers: 1)
        defer { kafka.stop() }
        try kafka.createTopic("scraper-notifications")
        try kafka.takeDown()
        try scraper.writeConfig("""
        defaults:
          notifications: {delivery_timeout: 2}
        collectors:
          miso-cts: {type: miso.cts}
        """)
        let result = try scraper.run(base("2025-01-19", "2025-01-20") + ["--kafka-connection-string", kafka.bootstrapServers])
        XCTAssertEqual(result.status, 0, result.transcript)
        XCTAssertEqual(result.count("collected"), 2, result.transcript)
        XCTAssertEqual(result.count("notification_failures"), 2, result.transcript)
        // One bounded wait at the end of the run, one warning that counts both (not one stall per object).
        XCTAssertEqual(result.messages(at: "warning").filter { $0.contains("2 notification(s) were not delivered") }.count, 1, result.stderr)
        await XCTAssertEqualAsync(await SnapshotAudit.problems(scraper, expected: try SnapshotAudit.ctsDays(["2025-01-19", "2025-01-20"], sim: sim)), [])
    }
}

extension ScraperResult {
    /// The error strings of a summary object.
    static func errors(in summary: JSONObject) -> [String] {
        guard case .array(let items)? = summary["errors"] else { return [] }
        return items.compactMap { item -> String? in
            if case .object(let o) = item { return o["error"]?.stringValue }
            return nil
        }
    }
}
