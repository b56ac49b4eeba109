import CollectionFramework
import TestSupport
import XCTest

/// Secrets never leak, TLS verification cannot be skipped, local files are not open to others, and
/// hostile command-line and YAML values never escape the dataset prefix or start any work.
final class SecurityTests: XCTestCase {
    var sim: MisoSimulatorProcess!
    var scraper: ScraperInvocation!

    override func setUpWithError() throws {
        sim = try MisoSimulatorProcess(arguments: ["--today", "2025-01-20", "--nodes", "2"])
        scraper = ScraperInvocation()
    }

    override func tearDown() {
        sim?.stop()
    }

    var ctsURL: String { sim.url(MisoSimulatorProcess.ctsPath) }

    func assertNoLeak(_ marker: String, in texts: [String], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        for text in texts { XCTAssertFalse(text.contains(marker), "\(what) leaked \(marker): \(text)", file: file, line: line) }
    }

    // MARK: Secrets

    func testMarkerSecretsNeverAppearAtDebugLevelInLogsSummaryOrErrors() async throws {
        let redisSecret = "redis-pw-MARKER-7f3a"
        let awsSecret = "aws-secret-MARKER-91bd"
        let sessionToken = "aws-token-MARKER-c0de"
        let kafkaSecret = "kafka-pw-MARKER-5e11"
        let redis = try RedisServer(password: redisSecret)
        defer { redis.stop() }
        let moto = try MotoServer()
        defer { moto.stop() }
        try moto.createBucket("scraper-secrets")
        let kafka = try KafkaMockCluster(brokers: 1)
        defer { kafka.stop() }
        try kafka.createTopic("scraper-notifications")
        try scraper.writeConfig("""
        defaults:
          storage: {endpoint_url: "\(moto.endpoint)", region: us-east-1}
          notifications: {delivery_timeout: 2}
        collectors:
          miso-cts: {type: miso.cts}
        """)
        var env: ScraperInvocation = scraper
        env.environment = ["REDIS_PASSWORD": redisSecret, "AWS_ACCESS_KEY_ID": "AKIAMARKERTEST000000",
                           "AWS_SECRET_ACCESS_KEY": awsSecret, "AWS_SESSION_TOKEN": sessionToken]
        // The spec's user:pass@brokers form (SASL_SSL): the mock cluster cannot authenticate it, so the
        // notifier logs failures — with librdkafka debug on, through the same redacting logger.
        let result = try env.run(["run", "miso-cts", "--api-url", ctsURL, "--rate-limit", "0", "--date", "2025-01-20",
                                  "--log-level", "DEBUG", "--log-format", "json", "--s3-bucket", "scraper-secrets",
                                  "--redis-host", "127.0.0.1", "--redis-port", String(redis.port),
                                  "--kafka-connection-string", "svc:\(kafkaSecret)@\(kafka.bootstrapServers)"])
        XCTAssertEqual(result.status, 0, result.transcript)
        XCTAssertEqual(result.count("collected"), 1, result.transcript)
        XCTAssertEqual(result.count("notification_failures"), 1, result.transcript)
        XCTAssertGreaterThan(result.messages(at: "debug").count, 3, "debug logging was really on")
        for marker in [redisSecret, awsSecret, sessionToken, kafkaSecret] {
            assertNoLeak(marker, in: [result.stdout, result.stderr], "a debug run")
        }

        // Failures that carry the secrets: a wrong Redis password, a Kafka URL with a password.
        let wrong = try env.run(["run", "miso-cts", "--api-url", ctsURL, "--date", "2025-01-20", "--log-level", "DEBUG",
                                 "--redis-host", "127.0.0.1", "--redis-port", String(redis.port), "--allow-mixed-sharing",
                                 "--kafka-connection-string", "kafka://svc:\(kafkaSecret)@127.0.0.1:1/t?security_protocol=SASL_SSL"])
        XCTAssertEqual(wrong.status, 0, "the content is already registered: nothing to announce, nothing fails: \(wrong.transcript)")
        XCTAssertEqual(wrong.count("skipped_duplicate"), 1, wrong.transcript)
        XCTAssertEqual(wrong.count("failed"), 0, wrong.transcript)
        var badRedis: ScraperInvocation = scraper
        badRedis.environment = ["REDIS_PASSWORD": "wrong-\(redisSecret)"]
        let refused = try badRedis.run(["run", "miso-cts", "--api-url", ctsURL, "--date", "2025-01-20", "--log-level", "DEBUG",
                                        "--redis-host", "127.0.0.1", "--redis-port", String(redis.port), "--allow-mixed-sharing"])
        XCTAssertEqual(refused.status, 69, refused.transcript)
        XCTAssertTrue(refused.stderr.contains("rejected") && refused.stderr.contains("REDIS_PASSWORD or registry.password"),
                      "the message says what to fix, naming only settings that exist: \(refused.stderr)")
        assertNoLeak(redisSecret, in: [refused.stdout, refused.stderr, wrong.stdout, wrong.stderr], "an error")
        assertNoLeak(kafkaSecret, in: [wrong.stdout, wrong.stderr], "an error")

        // A printed configuration.
        try scraper.writeConfig("""
        defaults:
          registry: {type: redis, host: 127.0.0.1, password: "\(redisSecret)", allow_mixed_sharing: true}
          notifications: {type: kafka, connection_string: "svc:\(kafkaSecret)@127.0.0.1:9092"}
        collectors:
          miso-cts: {type: miso.cts}
        """)
        let check = try scraper.run(["config", "check"])
        XCTAssertEqual(check.status, 0, check.transcript)
        XCTAssertTrue(check.stdout.contains("password: "), check.stdout)
        assertNoLeak(redisSecret, in: [check.stdout, check.stderr], "config check")
        assertNoLeak(kafkaSecret, in: [check.stdout, check.stderr], "config check")
    }

    // MARK: TLS

    func testTLSVerificationIsAlwaysOnAndACABundleMakesAPrivateCAWork() async throws {
        let tls = try LoopbackTLSProxy(upstream: sim.baseURL)
        defer { tls.stop() }
        let httpsURL = tls.endpoint + MisoSimulatorProcess.ctsPath
        let args = ["run", "miso-cts", "--api-url", httpsURL, "--rate-limit", "0", "--date", "2025-01-20", "--log-format", "json"]
        try scraper.writeConfig("""
        defaults:
          retry: {max_attempts: 2, base_delay: 0.01, max_delay: 0.02}
        collectors:
          miso-cts: {type: miso.cts}
        """)
        let untrusted = try scraper.run(args)
        XCTAssertEqual(untrusted.status, 1, untrusted.transcript)
        XCTAssertTrue(untrusted.errors.first?.contains("TLS verification failed") == true, "\(untrusted.errors)")
        XCTAssertTrue(untrusted.errors.first?.contains("http.ca_bundle") == true, "the message says how to trust a CA")
        XCTAssertEqual(try sim.stats().requests, 0, "nothing was relayed over an unverified connection")
        await XCTAssertEqualAsync(await SnapshotAudit.problems(scraper, expected: [:]), [])

        // No setting turns verification off: such keys are refused before any work.
        for key in ["verify: false", "insecure: true", "verify_tls: false", "ssl_verify: false"] {
            try scraper.writeConfig("collectors:\n  miso-cts: {type: miso.cts, http: {\(key)}}\n")
            let refused = try scraper.run(args)
            XCTAssertEqual(refused.status, 64, "\(key): \(refused.transcript)")
            XCTAssertTrue(refused.stderr.contains("unknown key"), "\(key): \(refused.stderr)")
        }

        try scraper.writeConfig("""
        collectors:
          miso-cts: {type: miso.cts, http: {ca_bundle: "\(tls.caPath)"}}
        """)
        let trusted = try scraper.run(args)
        XCTAssertEqual(trusted.status, 0, trusted.transcript)
        XCTAssertEqual(trusted.count("collected"), 1, trusted.transcript)
        await XCTAssertEqualAsync(await SnapshotAudit.problems(scraper, expected: try SnapshotAudit.ctsDays(["2025-01-20"], sim: sim)), [])
    }

    // MARK: Files

    func testRegistryIsOwnerOnlyAndStoredFilesAreNotWritableByOthers() async throws {
        let previous = umask(0)  // the most permissive umask: the scraper must not rely on it
        defer { umask(previous) }
        let result = try scraper.run(["run", "miso-cts", "--api-url", ctsURL, "--rate-limit", "0", "--date", "2025-01-20"])
        XCTAssertEqual(result.status, 0, result.transcript)
        let data = scraper.directory.appendingPathComponent("data")
        for name in ["registry.sqlite3", "registry.sqlite3-wal", "registry.sqlite3-shm"] {
            let path = data.appendingPathComponent(name).path
            guard FileManager.default.fileExists(atPath: path) else { continue }
            XCTAssertEqual(permissionBits(path), 0o600, "\(name) is owner-only")
        }
        XCTAssertNotNil(permissionBits(data.appendingPathComponent("registry.sqlite3").path))
        let walker = try XCTUnwrap(FileManager.default.enumerator(at: data, includingPropertiesForKeys: nil))
        XCTAssertEqual((permissionBits(data.path) ?? 0o777) & 0o022, 0, "data/ is writable by group or others")
        var checked = 0
        for case let url as URL in walker {
            let bits = try XCTUnwrap(permissionBits(url.path))
            XCTAssertEqual(bits & 0o022, 0, "\(url.path) is writable by group or others (\(String(bits, radix: 8)))")
            checked += 1
        }
        XCTAssertGreaterThan(checked, 5)
    }

    // MARK: Hostile input

    /// True when `key` is a usable S3 key: 1-1024 UTF-8 bytes, no control characters, no `.`/`..` segment.
    func isValidS3Key(_ key: String) -> Bool {
        let bytes = key.utf8.count
        return (1...1024).contains(bytes) && !key.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
            && !key.split(separator: "/", omittingEmptySubsequences: false).contains { $0 == ".." || $0 == "." || $0.isEmpty }
    }

    func testHostileNodeValuesStayInsideTheDatasetPrefixOrAreRefused() async throws {
        let values = ["../../etc", "../../../tmp/x", "/etc/passwd", "a/b/c", "MISO.PJM\u{1}\u{7}\n", "..", ".",
                      String(repeating: "N", count: 500), String(repeating: "N", count: 200), String(repeating: "../", count: 66),
                      String(repeating: "../", count: 170), "MISO PJM\tINTERFACE", "é/ü"]
        var reachedStorage = 0
        for value in values {
            let result = try scraper.run(["run", "miso-cts", "--api-url", ctsURL, "--rate-limit", "0", "--date", "2025-01-20",
                                          "--node", value, "--log-format", "json", "--force"])  // same content for unknown nodes: store each anyway
            let label = value.debugDescription
            XCTAssertFalse(result.stderr.contains("Fatal error"), "\(label): \(result.stderr)")
            XCTAssertTrue([0, 1, 64].contains(result.status), "\(label): \(result.transcript)")
            if result.status == 64 { XCTAssertFalse(result.stderr.isEmpty, label) } else { reachedStorage += 1 }
            if value == "../../etc" { XCTAssertNotEqual(result.status, 64, "a path-like node is a legal value, made safe in the key") }
        }
        XCTAssertGreaterThanOrEqual(reachedStorage, 5, "most values were accepted and so exercised the key building")
        // Whatever was written is under data/, inside the dataset's prefix or its _rejected/ twin, and a valid S3 key.
        let keys = scraper.store.keys()
        XCTAssertGreaterThan(keys.count, reachedStorage, "every accepted value left an object (stored or kept under _rejected/)")
        for key in keys where key != "registry.sqlite3" && !key.hasPrefix("registry.sqlite3-") {
            XCTAssertTrue(key.hasPrefix(SnapshotAudit.ctsPrefix) || key.hasPrefix("sourcing/_rejected/\(SnapshotAudit.ctsGroup)/"), key)
            XCTAssertTrue(isValidS3Key(key), key.debugDescription)
            XCTAssertLessThan(key.utf8.count, 300, "long values are shortened: \(key)")
        }
        let outside = try FileManager.default.contentsOfDirectory(atPath: scraper.directory.path).filter { !["data", ".aws"].contains($0) }
        XCTAssertEqual(outside, [], "nothing was written beside data/")
        XCTAssertFalse(FileManager.default.fileExists(atPath: scraper.directory.deletingLastPathComponent().appendingPathComponent("etc").path))
    }

    func testBadYAMLValuesAreRefusedBeforeAnyRequest() async throws {
        let cases: [(String, String)] = [
            ("defaults:\n  retry: {max_attempts: -1}\n", "max_attempts"),
            ("defaults:\n  retry: {max_attempts: many}\n", "max_attempts"),
            ("defaults:\n  http: {timeout: 0}\n", "timeout"),
            ("defaults:\n  http: {timeout: .nan}\n", "timeout"),
            ("defaults:\n  http: {max_response_bytes: 10}\n", "max_response_bytes"),
            ("defaults:\n  http: {rate_limit_per_minute: -5}\n", "rate_limit_per_minute"),
            ("defaults:\n  http: {ca_bundle: [a, b]}\n", "ca_bundle"),
            ("defaults:\n  pipeline: {gzip_level: 12}\n", "gzip_level"),
            ("defaults:\n  pipeline: {concurrency: 0}\n", "concurrency"),
            ("defaults:\n  registry: {type: redis, port: 70000}\n", "port"),
            ("defaults:\n  storage: {type: s3, bucket: \"Bad_Bucket/..\"}\n", "bucket"),
            ("defaults:\n  unknown_section: {}\n", "unknown_section"),
            ("defaults:\n  retry: {max_attempts: 3\n", "collectors.yaml"),
        ]
        for (yaml, word) in cases {
            try scraper.writeConfig(yaml + "collectors:\n  miso-cts: {type: miso.cts}\n")
            let result = try scraper.run(["run", "miso-cts", "--api-url", ctsURL, "--date", "2025-01-20"])
            XCTAssertEqual(result.status, 64, "\(yaml): \(result.transcript)")
            XCTAssertTrue(result.stderr.contains(word), "\(yaml): the message names \(word): \(result.stderr)")
            XCTAssertFalse(result.stderr.contains("Fatal error"), result.stderr)
            let check = try scraper.run(["config", "check"])
            XCTAssertEqual(check.status, 64, "config check agrees for \(yaml): \(check.transcript)")
        }
        XCTAssertEqual(try sim.stats().requests, 0, "nothing was fetched")
        XCTAssertEqual(scraper.store.keys(), [])
    }
}
