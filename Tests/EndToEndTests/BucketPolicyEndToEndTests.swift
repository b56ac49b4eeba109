import CollectionFramework
import Foundation
import TestSupport
import XCTest

/// The built `scraper` against encrypted, locked-down and versioned or unversioned buckets (moto's S3,
/// redis-server, the MISO simulator): a rerun of a revised day leaves the newest content at the normal
/// key without losing the previous one, and SSE-KMS with `s3:PutObject`-only credentials works.
final class BucketPolicyEndToEndTests: XCTestCase {
    var sim: MisoSimulatorProcess!
    var redis: RedisServer!
    var moto: MotoServer!
    var scraper: ScraperInvocation!
    let group = "miso_coordinated_transaction_scheduling"
    let key = "sourcing/miso_coordinated_transaction_scheduling/year=2025/month=01/day=20/cts_20250120.json.gz"

    override func setUpWithError() throws {
        sim = try MisoSimulatorProcess(arguments: ["--today", "2025-01-20", "--nodes", "2"])
        redis = try RedisServer()
        moto = try MotoServer()
        try moto.createBucket("versioned-bucket", versioned: true)
        try moto.createBucket("plain-bucket", versioned: false)
        scraper = ScraperInvocation()
        try profile(endpoint: moto.endpoint)
    }

    override func tearDown() {
        sim?.stop()
        redis?.stop()
        moto?.stop()
    }

    /// `[profile localstack]` pointing at `endpoint`.
    func profile(endpoint: String) throws {
        let aws = scraper.directory.appendingPathComponent(".aws")
        try FileManager.default.createDirectory(at: aws, withIntermediateDirectories: true)
        try "[localstack]\naws_access_key_id = AKIALOCALSTACK000000\naws_secret_access_key = e2e-secret\n"
            .write(to: aws.appendingPathComponent("credentials"), atomically: true, encoding: .utf8)
        try "[profile localstack]\nregion = us-east-1\nendpoint_url = \(endpoint)\n"
            .write(to: aws.appendingPathComponent("config"), atomically: true, encoding: .utf8)
    }

    func arguments(bucket: String, _ extra: [String] = []) -> [String] {
        ["run", "miso-cts", "--s3-bucket", bucket, "--aws-profile", "localstack",
         "--redis-host", "127.0.0.1", "--redis-port", String(redis.port),
         "--date", "2025-01-20", "--api-url", sim.url(MisoSimulatorProcess.ctsPath), "--rate-limit", "0",
         "--log-format", "json"] + extra
    }

    func s3Store(_ bucket: String) throws -> S3ObjectStore {
        let credentials = AWSCredentials(accessKeyID: "AKIALOCALSTACK000000", secretAccessKey: "x", source: .environment)
        return S3ObjectStore(configuration: try S3Configuration(bucket: bucket, endpointURL: moto.endpoint, credentials: credentials))
    }

    /// MISO revises the day's forecast: the simulator restarts with other numbers for the same day.
    func revise(seed: Int) throws {
        sim.stop()
        sim = try MisoSimulatorProcess(arguments: ["--today", "2025-01-20", "--nodes", "2", "--seed", String(seed)])
    }

    func served() throws -> Data {
        try sim.get(MisoSimulatorProcess.ctsPath, query: [("date", "2025-01-20")]).body
    }

    func testRerunOfARevisedDayLeavesTheNewestContentAtTheNormalKey() async throws {
        for (round, bucket) in ["versioned-bucket", "plain-bucket"].enumerated() {
            try revise(seed: 100 + 2 * round)
            let original = try served()
            let first = try scraper.run(arguments(bucket: bucket))
            XCTAssertEqual(first.status, 0, first.transcript)
            XCTAssertEqual(first.count("collected"), 1, first.transcript)

            // MISO revises the day's forecast: same day, different content.
            try revise(seed: 101 + 2 * round)
            let revised = try served()
            XCTAssertNotEqual(revised, original)
            let rerun = try scraper.run(arguments(bucket: bucket))
            XCTAssertEqual(rerun.status, 0, "\(bucket): \(rerun.transcript)")
            XCTAssertEqual(rerun.count("collected"), 1, "\(bucket): \(rerun.transcript)")

            let store = try s3Store(bucket)
            let atKey = try await XCTUnwrapAsync(try await store.get(key: key))
            XCTAssertEqual(try Gzip.decompress(atKey), revised, "\(bucket): readers of the normal key get the revision")
            let record = try await RedisHashRegistry(configuration: RedisConfiguration(host: "127.0.0.1", port: redis.port, environment: "dev"))
                .get(sha256: ContentHash.sha256Hex(revised), datasetGroup: group)
            XCTAssertEqual(record?.location, "s3://\(bucket)/\(key)")

            let keys = try moto.listKeys(bucket)
            XCTAssertFalse(keys.contains { $0.contains("cts_20250120_") }, "\(bucket): no <id>_<sha12> copy: \(keys)")
            if bucket == "versioned-bucket" {
                XCTAssertEqual(keys, [key])
                XCTAssertEqual(try moto.versionCount(bucket, key: key), 2, "S3 keeps the previous content as an older version")
            } else {
                let history = StorageKey.history(of: key, previousSHA256: ContentHash.sha256Hex(original))
                XCTAssertEqual(Set(keys), [key, history])
                let kept = try await XCTUnwrapAsync(try await store.get(key: history))
                XCTAssertEqual(try Gzip.decompress(kept), original, "the previous content is kept at its history key")
                let previous = try await RedisHashRegistry(configuration: RedisConfiguration(host: "127.0.0.1", port: redis.port, environment: "dev"))
                    .get(sha256: ContentHash.sha256Hex(original), datasetGroup: group)
                XCTAssertEqual(previous?.location, "s3://\(bucket)/\(history)", "its registry record follows it")
            }
            _ = try RedisConnection(configuration: RedisConfiguration(host: "127.0.0.1", port: redis.port)).command(["FLUSHALL"])
        }
    }

    func testARevertedRevisionPutsTheEarlierForecastBackAtTheKeyOfAVersionedBucket() async throws {
        let bucket = "versioned-bucket"
        try revise(seed: 11)
        let original = try served()
        XCTAssertEqual(try scraper.run(arguments(bucket: bucket)).count("collected"), 1)
        try revise(seed: 12)
        XCTAssertEqual(try scraper.run(arguments(bucket: bucket)).count("collected"), 1)
        try revise(seed: 11)
        let reverted = try scraper.run(arguments(bucket: bucket))
        XCTAssertEqual(reverted.status, 0, reverted.transcript)
        XCTAssertEqual(reverted.count("collected"), 1, "registered before, but no longer at the key: \(reverted.transcript)")
        let atKey = try await XCTUnwrapAsync(try await s3Store(bucket).get(key: key))
        XCTAssertEqual(try Gzip.decompress(atKey), original)
        XCTAssertEqual(try moto.versionCount(bucket, key: key), 3)
        XCTAssertEqual(try scraper.run(arguments(bucket: bucket)).count("skipped_duplicate"), 1)
    }

    func testForceMovesARevisionThatOldRunsStoredBesideTheKeyToTheNormalKey() async throws {
        // What earlier versions left: the stale day at the key, its revision registered at <id>_<sha12>.
        let bucket = "plain-bucket"
        let original = try served()
        XCTAssertEqual(try scraper.run(arguments(bucket: bucket)).status, 0)
        try revise(seed: 7)
        let revised = try served()
        let sha = ContentHash.sha256Hex(revised)
        let besideKey = StorageKey.object(datasetGroup: group, date: CalendarDate(year: 2025, month: 1, day: 20)!,
                                          identifier: StorageKey.distinctIdentifier("cts_20250120.json", sha256: sha))
        let beside = try await s3Store(bucket).put(ObjectPutRequest(key: besideKey, body: try Gzip.compress(revised), contentSHA256: sha))
        let registry = try RedisHashRegistry(configuration: RedisConfiguration(host: "127.0.0.1", port: redis.port, environment: "dev"))
        try await registry.register(sha256: sha, datasetGroup: group,
                                    record: RegistryRecord(location: beside.location, registeredAt: RegistryRecord.timestamp(), metadata: [:]),
                                    ttl: 3600)

        let plain = try scraper.run(arguments(bucket: bucket))
        XCTAssertEqual(plain.count("skipped_duplicate"), 1, plain.transcript)

        let forced = try scraper.run(arguments(bucket: bucket, ["--force"]))
        XCTAssertEqual(forced.status, 0, forced.transcript)
        XCTAssertEqual(forced.count("collected"), 1, forced.transcript)
        let atKey = try await XCTUnwrapAsync(try await s3Store(bucket).get(key: key))
        XCTAssertEqual(try Gzip.decompress(atKey), revised, "--force re-stores the revision to the normal key")
        let history = StorageKey.history(of: key, previousSHA256: ContentHash.sha256Hex(original))
        let kept = try await XCTUnwrapAsync(try await s3Store(bucket).get(key: history))
        XCTAssertEqual(try Gzip.decompress(kept), original)
        let record = try await registry.get(sha256: sha, datasetGroup: group)
        XCTAssertEqual(record?.location, "s3://\(bucket)/\(key)", "the registry now points at the normal key")
    }

    func testBucketDefaultEncryptionWithKMSETagsStoresOnceAndRegisters() async throws {
        // SSE-KMS as the bucket's default (no header from us): S3's ETag is not the body's MD5.
        let proxy = try LockedDownBucketProxy(upstream: moto.endpoint)
        defer { proxy.stop() }
        try profile(endpoint: proxy.endpoint)
        let run = try scraper.run(arguments(bucket: "plain-bucket"))
        XCTAssertEqual(run.status, 0, run.transcript)
        XCTAssertEqual(run.count("collected"), 1, run.transcript)
        let record = try await RedisHashRegistry(configuration: RedisConfiguration(host: "127.0.0.1", port: redis.port, environment: "dev"))
            .get(sha256: ContentHash.sha256Hex(try served()), datasetGroup: group)
        let stored = try await XCTUnwrapAsync(try await s3Store("plain-bucket").get(key: key))
        XCTAssertEqual(record?.metadata["etag"]?.stringValue, LockedDownBucketProxy.kmsETag(forMD5: ContentHash.md5Hex(stored)),
                       "registered, with the ETag S3 gave")
        let rerun = try scraper.run(arguments(bucket: "plain-bucket"))
        XCTAssertEqual(rerun.count("skipped_duplicate"), 1, rerun.transcript)
        XCTAssertEqual(try moto.listKeys("plain-bucket"), [key], "no unregistered extra copy")
    }

    func testSSEKMSBucketWithPutObjectOnlyCredentials() async throws {
        // The bucket policy demands aws:kms; the credentials may only PutObject; ETags are not MD5s.
        let proxy = try LockedDownBucketProxy(upstream: moto.endpoint, requireKMS: true, putObjectOnly: true)
        defer { proxy.stop() }
        try profile(endpoint: proxy.endpoint)

        let unencrypted = try scraper.run(arguments(bucket: "versioned-bucket"))
        XCTAssertNotEqual(unencrypted.status, 0, "without --s3-sse the bucket policy refuses the upload: \(unencrypted.transcript)")
        XCTAssertTrue(unencrypted.stderr.contains("requires aws:kms"), unencrypted.transcript)

        let run = try scraper.run(arguments(bucket: "versioned-bucket", ["--s3-sse", "aws:kms", "--s3-kms-key-id", "alias/scraper-data"]))
        XCTAssertEqual(run.status, 0, run.transcript)
        XCTAssertEqual(run.count("collected"), 1, run.transcript)
        XCTAssertEqual(run.count("failed"), 0, run.transcript)
        XCTAssertTrue(run.stderr.contains("grant s3:ListBucket"), "the skipped bucket check is a warning: \(run.stderr)")
        XCTAssertTrue(run.stderr.contains("grant s3:GetBucketVersioning"), run.stderr)
        XCTAssertEqual(try moto.listKeys("versioned-bucket"), [key], "one object, no unregistered extra copy")

        let head = try await CurlHTTPClient().send(HTTPRequest(
            method: "HEAD", url: "\(moto.endpoint)/versioned-bucket/\(S3Configuration.encodeKeyPath(key))",
            awsSigning: AWSSigning(region: "us-east-1", service: "s3", accessKeyID: "AKIAX", secretAccessKey: "x")))
        XCTAssertEqual(head.headers["x-amz-server-side-encryption"], "aws:kms")
        XCTAssertEqual(head.headers["x-amz-server-side-encryption-aws-kms-key-id"], "alias/scraper-data")

        let rerun = try scraper.run(arguments(bucket: "versioned-bucket", ["--s3-sse", "aws:kms"]))
        XCTAssertEqual(rerun.count("skipped_duplicate"), 1, rerun.transcript)
    }
}
