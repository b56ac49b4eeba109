import CollectionFramework
import Foundation
import TestSupport
import XCTest

/// Issue 11 item 3, through the built binary: beside an S3 bucket the registry is Redis unless one is
/// named, and a mix of shared and private state is refused unless the configuration says it is meant.
final class SharedStateScopeTests: XCTestCase {
    private func collect(_ scraper: ScraperInvocation, _ sim: MisoSimulatorProcess, _ extra: [String]) throws -> ScraperResult {
        try scraper.run(["run", "miso-cts", "--date", "2025-01-20", "--api-url", sim.url(MisoSimulatorProcess.ctsPath),
                         "--rate-limit", "0", "--log-format", "json"] + extra)
    }

    func testAnS3BucketWithNoRegistryConfiguredRegistersInRedisNotInAPrivateFile() throws {
        let sim = try MisoSimulatorProcess()
        let moto = try MotoServer()
        let redis = try RedisServer()
        defer { sim.stop(); moto.stop(); redis.stop() }
        try moto.createBucket("shared")
        // Only the port is given (REDIS_PORT), as on a host whose Redis listens elsewhere than 6379:
        // no registry type, no host. The spec's default is Redis on localhost.
        let scraper = ScraperInvocation(environment: ["AWS_ENDPOINT_URL": moto.endpoint, "AWS_REGION": "us-east-1",
                                                      "AWS_ACCESS_KEY_ID": MotoServer.setupAccessKeyID,
                                                      "AWS_SECRET_ACCESS_KEY": MotoServer.setupSecretAccessKey,
                                                      "REDIS_PORT": String(redis.port)])
        let result = try collect(scraper, sim, ["--s3-bucket", "shared"])
        XCTAssertEqual(result.status, 0, result.transcript)
        XCTAssertEqual(result.count("collected"), 1, result.transcript)
        XCTAssertEqual(try RegistryCommandTests.redisKeys(port: redis.port, db: 0).count, 1, "the hash is in the shared Redis")
        XCTAssertFalse(FileManager.default.fileExists(atPath: scraper.directory.appendingPathComponent("data/registry.sqlite3").path),
                       "no private registry file beside a shared bucket")
        XCTAssertTrue(result.stderr.contains("registry: redis"), result.stderr)
    }

    func testMixingSharedAndPrivateStateIsRefusedUnlessAllowedAndThenWarned() throws {
        let sim = try MisoSimulatorProcess()
        let moto = try MotoServer()
        let redis = try RedisServer()
        defer { sim.stop(); moto.stop(); redis.stop() }
        try moto.createBucket("shared")
        let scraper = ScraperInvocation(environment: ["AWS_ENDPOINT_URL": moto.endpoint, "AWS_REGION": "us-east-1",
                                                      "AWS_ACCESS_KEY_ID": MotoServer.setupAccessKeyID,
                                                      "AWS_SECRET_ACCESS_KEY": MotoServer.setupSecretAccessKey])

        // A shared bucket with the private SQLite registry named in collectors.yaml.
        try scraper.writeConfig("""
        defaults:
          registry: {type: embedded}
        collectors:
          miso-cts: {type: miso.cts}
        """)
        let refusedS3 = try collect(scraper, sim, ["--s3-bucket", "shared"])
        XCTAssertEqual(refusedS3.status, 64, refusedS3.transcript)
        XCTAssertTrue(refusedS3.stderr.contains("private SQLite file"), refusedS3.stderr)
        XCTAssertTrue(refusedS3.stderr.contains("registry.allow_mixed_sharing: true"), "names the fix: \(refusedS3.stderr)")
        XCTAssertEqual(try moto.listKeys("shared"), [], "refused before anything is stored")
        XCTAssertEqual(try sim.stats().requests, 0, "refused before any download")

        // A shared Redis with the private local folder.
        try scraper.writeConfig("collectors:\n  miso-cts: {type: miso.cts}\n")
        let refusedLocal = try collect(scraper, sim, ["--redis-host", "127.0.0.1", "--redis-port", String(redis.port)])
        XCTAssertEqual(refusedLocal.status, 64, refusedLocal.transcript)
        XCTAssertTrue(refusedLocal.stderr.contains("file:// paths"), refusedLocal.stderr)
        XCTAssertEqual(try RegistryCommandTests.redisKeys(port: redis.port, db: 0), [])

        // Said explicitly, in the configuration or by the flag: it runs, with a warning that says what it means.
        try scraper.writeConfig("""
        defaults:
          registry: {allow_mixed_sharing: true}
        collectors:
          miso-cts: {type: miso.cts}
        """)
        let allowedLocal = try collect(scraper, sim, ["--redis-host", "127.0.0.1", "--redis-port", String(redis.port)])
        XCTAssertEqual(allowedLocal.status, 0, allowedLocal.transcript)
        XCTAssertTrue(allowedLocal.stderr.contains("registry.allow_mixed_sharing is set"), allowedLocal.stderr)
        XCTAssertTrue(allowedLocal.stderr.contains("\"level\": \"warning\""), allowedLocal.stderr)
        XCTAssertEqual(try RegistryCommandTests.redisKeys(port: redis.port, db: 0).count, 1)

        try scraper.writeConfig("""
        defaults:
          registry: {type: embedded}
        collectors:
          miso-cts: {type: miso.cts}
        """)
        let allowedS3 = try collect(scraper, sim, ["--s3-bucket", "shared", "--allow-mixed-sharing"])
        XCTAssertEqual(allowedS3.status, 0, allowedS3.transcript)
        XCTAssertTrue(allowedS3.stderr.contains("registry.allow_mixed_sharing is set: the registry is the private SQLite file"), allowedS3.stderr)
        XCTAssertEqual(try moto.listKeys("shared").count, 1)
    }

    func testTheResolvedRegistryFollowsTheStoreWhenNoneIsNamed() throws {
        var layer = SettingsLayer()
        layer.storage.type = .s3
        layer.storage.bucket = "b"
        XCTAssertEqual(try layer.resolved().registry, .redis(RedisRegistryOptions(host: "localhost", port: 6379)))
        layer.storage.type = .local
        XCTAssertEqual(try layer.resolved().registry, .embedded(path: Defaults.registryPath))
        layer.registry.type = .redis
        XCTAssertThrowsError(try layer.resolved()) { XCTAssertTrue("\($0)".contains("allow_mixed_sharing"), "\($0)") }
        layer.registry.allowMixedSharing = true
        XCTAssertEqual(try layer.resolved().warnings.count, 1)
    }
}
