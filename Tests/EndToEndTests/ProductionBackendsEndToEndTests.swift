import CollectionFramework
import TestSupport
import XCTest

/// The built `scraper` with every production backend real: the simulator, redis-server, moto's S3
/// server (through an AWS profile with `endpoint_url`, as the spec's `--aws-profile localstack`)
/// and librdkafka's mock cluster.
final class ProductionBackendsEndToEndTests: XCTestCase {
    var sim: MisoSimulatorProcess!
    var redis: RedisServer!
    var moto: MotoServer!
    var kafka: KafkaMockCluster!
    var scraper: ScraperInvocation!
    let bucket = "scraper-testing"
    let group = "miso_coordinated_transaction_scheduling"
    let topic = "scraper-notifications"

    override func setUpWithError() throws {
        sim = try MisoSimulatorProcess(arguments: ["--today", "2025-01-20", "--nodes", "2"])
        redis = try RedisServer()
        moto = try MotoServer()
        try moto.createBucket(bucket)
        kafka = try KafkaMockCluster(brokers: 1)
        try kafka.createTopic(topic)
        scraper = ScraperInvocation()
        let aws = scraper.directory.appendingPathComponent(".aws")
        try FileManager.default.createDirectory(at: aws, withIntermediateDirectories: true)
        try "[localstack]\naws_access_key_id = AKIALOCALSTACK000000\naws_secret_access_key = e2e-secret-key-marker\n"
            .write(to: aws.appendingPathComponent("credentials"), atomically: true, encoding: .utf8)
        try "[profile localstack]\nregion = us-east-1\nendpoint_url = \(moto.endpoint)\n"
            .write(to: aws.appendingPathComponent("config"), atomically: true, encoding: .utf8)
    }

    override func tearDown() {
        sim?.stop()
        redis?.stop()
        moto?.stop()
        kafka?.stop()
    }

    func arguments(_ date: String, _ extra: [String] = []) -> [String] {
        ["run", "miso-cts", "--s3-bucket", bucket, "--aws-profile", "localstack",
         "--redis-host", "127.0.0.1", "--redis-port", String(redis.port),
         "--kafka-connection-string", kafka.bootstrapServers,
         "--date", date, "--api-url", sim.url(MisoSimulatorProcess.ctsPath), "--rate-limit", "0",
         "--log-level", "DEBUG", "--log-format", "json"] + extra
    }

    func s3Store() throws -> S3ObjectStore {
        let credentials = AWSCredentials(accessKeyID: "AKIALOCALSTACK000000", secretAccessKey: "x", source: .environment)
        return S3ObjectStore(configuration: try S3Configuration(bucket: bucket, endpointURL: moto.endpoint, credentials: credentials))
    }

    func redisRegistry() throws -> RedisHashRegistry {
        try RedisHashRegistry(configuration: RedisConfiguration(host: "127.0.0.1", port: redis.port, environment: "dev"))
    }

    func testStoresRegistersAnnouncesThenSkipsThenForceReStores() async throws {
        let first = try scraper.run(arguments("2025-01-20"))
        XCTAssertEqual(first.status, 0, first.transcript)
        XCTAssertEqual(first.count("collected"), 1, first.transcript)
        XCTAssertEqual(first.count("notification_failures"), 0, first.transcript)
        XCTAssertFalse(first.stdout.contains("e2e-secret-key-marker") || first.stderr.contains("e2e-secret-key-marker"),
                       "the AWS secret never reaches the output")

        // S3: the object gunzips to exactly the served bytes.
        let key = "sourcing/\(group)/year=2025/month=01/day=20/cts_20250120.json.gz"
        let served = try sim.get(MisoSimulatorProcess.ctsPath, query: [("date", "2025-01-20")]).body
        let listing = (try? moto.listKeys(bucket)) ?? []
        let stored = try await XCTUnwrapAsync(try await s3Store().get(key: key), "object at \(key): \(listing)")
        XCTAssertEqual(try Gzip.decompress(stored), served)

        // Redis: the Python framework's key and record, TTL 365 days.
        let sha = ContentHash.sha256Hex(served)
        let record = try await XCTUnwrapAsync(try await redisRegistry().get(sha256: sha, datasetGroup: group))
        XCTAssertEqual(record.location, "s3://\(bucket)/\(key)")
        XCTAssertNotNil(record.metadata["version_id"]?.stringValue, "version id recorded")
        XCTAssertEqual(record.metadata["etag"]?.stringValue, ContentHash.md5Hex(stored))
        let connection = try RedisConnection(configuration: RedisConfiguration(host: "127.0.0.1", port: redis.port))
        let ttl = try XCTUnwrap(connection.command(["TTL", RegistryKey.hash(environment: "dev", datasetGroup: group, sha256: sha)]).integer)
        XCTAssertEqual(Double(ttl), 365 * 86400, accuracy: 120)

        // Kafka: one message, the ScraperNotificationMessage schema, key {dataset}:{urn}.
        let consumer = try KafkaTestConsumer(bootstrapServers: kafka.bootstrapServers, topic: topic)
        let records = try consumer.read(count: 1, timeout: 15)
        XCTAssertEqual(records.count, 1)
        XCTAssertEqual(records.first?.key, "\(group):cts_20250120.json")
        guard case .object(let message)? = try? JSONValue.parse(Data((records.first?.value ?? "").utf8)) else {
            return XCTFail("message is not a JSON object: \(records)")
        }
        XCTAssertEqual(message.keys, ["dataset", "environment", "urn", "location", "version", "etag", "metadata"])
        XCTAssertEqual(message["dataset"], .string(group))
        XCTAssertEqual(message["environment"], .string("dev"))
        XCTAssertEqual(message["urn"], .string("cts_20250120.json"))
        XCTAssertEqual(message["location"], .string("s3://\(bucket)/\(key)"))
        guard case .object(let metadata)? = message["metadata"] else { return XCTFail("no metadata") }
        XCTAssertEqual(Array(metadata.keys.prefix(5)), ["publish_dtm", "s3_guid", "url", "original_file_size", "original_file_md5sum"])
        XCTAssertEqual(metadata["original_file_md5sum"], .string(sha))
        XCTAssertEqual(metadata["original_file_size"], .int(served.count))
        XCTAssertEqual(metadata["collector_type"], .string("miso.cts"))

        let rerun = try scraper.run(arguments("2025-01-20"))
        XCTAssertEqual(rerun.status, 0, rerun.transcript)
        XCTAssertEqual(rerun.count("skipped_duplicate"), 1, rerun.transcript)

        let forced = try scraper.run(arguments("2025-01-20", ["--force"]))
        XCTAssertEqual(forced.status, 0, forced.transcript)
        XCTAssertEqual(forced.count("collected"), 1, forced.transcript)
        XCTAssertEqual(try moto.versionCount(bucket, key: key), 2, "--force stored a new version")
    }

    func testTwoRunnersStartedTogetherStoreOnce() async throws {
        let a = try scraper.start(arguments("2025-01-19"))
        let b = try scraper.start(arguments("2025-01-19"))
        XCTAssertEqual(a.wait(timeout: 120), 0, a.stderr)
        XCTAssertEqual(b.wait(timeout: 120), 0, b.stderr)
        let summaries = [a.stdout, b.stdout].compactMap { out -> JSONObject? in
            guard let line = out.split(separator: "\n").last, case .object(let o)? = try? JSONValue.parse(Data(line.utf8)) else { return nil }
            return o
        }
        XCTAssertEqual(summaries.count, 2)
        let collected = summaries.compactMap { if case .int(let n)? = $0["collected"] { return n } else { return nil } }.reduce(0, +)
        XCTAssertEqual(collected, 1, "exactly one runner stored it: \(summaries.map { $0.serialized() })")
        let key = "sourcing/\(group)/year=2025/month=01/day=19/cts_20250119.json.gz"
        XCTAssertEqual(try moto.versionCount(bucket, key: key), 1)
    }

    func testMissingBucketAndUnknownProfileAreClearOneLineErrors() async throws {
        var args = arguments("2025-01-20")
        args[args.firstIndex(of: bucket)!] = "no-such-bucket"
        let missing = try scraper.run(args)
        XCTAssertEqual(missing.status, 69, missing.transcript)
        XCTAssertTrue(missing.stderr.contains("no-such-bucket"), missing.stderr)
        args = arguments("2025-01-20")
        args[args.firstIndex(of: "localstack")!] = "nosuchprofile"
        let profile = try scraper.run(args)
        XCTAssertEqual(profile.status, 64, profile.transcript)
        XCTAssertTrue(profile.stderr.contains("nosuchprofile"), profile.stderr)
        XCTAssertEqual(try sim.stats().requests, 0, "nothing was downloaded")
    }
}
