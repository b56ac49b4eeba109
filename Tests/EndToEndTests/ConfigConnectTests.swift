import Foundation
import TestSupport
import XCTest

/// `scraper config check --connect` through the built binary: one line per backend, against the embedded
/// defaults, a real redis-server with librdkafka's mock cluster, and backends that are not there.
final class ConfigConnectTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = TestPaths.temporaryDirectory("config-connect")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: dir)
    }

    private func check(_ yaml: String, environment: [String: String] = [:]) throws -> CommandResult {
        try Data(yaml.utf8).write(to: dir.appendingPathComponent("collectors.yaml"))
        var env = ProcessInfo.processInfo.environment
        for key in ["S3_BUCKET", "REDIS_HOST", "REDIS_PORT", "REDIS_PASSWORD", "AWS_PROFILE", "KAFKA_CONNECTION_STRING"] { env[key] = nil }
        env["HOME"] = dir.path
        env.merge(environment) { $1 }
        return try runCommand(TestPaths.product("scraper"), ["config", "check", "--connect"], environment: env, currentDirectory: dir, timeout: 60)
    }

    /// The lines after the configuration's `ok:` line.
    private func backendLines(_ result: CommandResult) -> [String] {
        let lines = result.stdout.split(separator: "\n").map(String.init)
        guard let ok = lines.firstIndex(where: { $0.hasPrefix("ok: ") }) else { return [] }
        return Array(lines[(ok + 1)...])
    }

    func testEmbeddedDefaultsAreReachable() throws {
        let result = try check("""
        defaults:
          storage: {type: local, path: \(dir.path)/data}
          registry: {type: embedded, path: \(dir.path)/data/registry.sqlite3}
        collectors: {}
        """)
        XCTAssertEqual(result.status, 0, result.stderr + result.stdout)
        XCTAssertEqual(backendLines(result), [
            "registry: ok (embedded registry \(dir.path)/data/registry.sqlite3)",
            "storage: ok (local directory \(dir.path)/data)",
            "notifications: none",
        ], result.stdout)
    }

    func testRedisAndKafkaAreAskedAndAnAbsentOneFailsWithExit69() throws {
        let redis = try RedisServer()
        defer { redis.stop() }
        let kafka = try KafkaMockCluster(brokers: 2)
        let up = try check("""
        defaults:
          storage: {type: local, path: \(dir.path)/data}
          registry: {type: redis, host: 127.0.0.1, port: \(redis.port), allow_mixed_sharing: true}
          notifications: {type: kafka, connection_string: "\(kafka.bootstrapServers)", topic: t}
        collectors: {}
        """)
        XCTAssertEqual(up.status, 0, up.stderr + up.stdout)
        let lines = backendLines(up)
        XCTAssertEqual(lines.count, 3, up.stdout)
        XCTAssertTrue(lines[0].hasPrefix("registry: ok (") && lines[0].contains("\(redis.port)"), up.stdout)
        XCTAssertEqual(lines[1], "storage: ok (local directory \(dir.path)/data)")
        XCTAssertTrue(lines[2].hasPrefix("notifications: ok (kafka topic t at ") && lines[2].hasSuffix(", 2 brokers)"), up.stdout)

        let redisPort = Loopback.freePort(), kafkaPort = Loopback.freePort()
        let down = try check("""
        defaults:
          storage: {type: local, path: \(dir.path)/data}
          registry: {type: redis, host: 127.0.0.1, port: \(redisPort), allow_mixed_sharing: true}
          notifications: {type: kafka, connection_string: "127.0.0.1:\(kafkaPort)", topic: t}
        collectors: {}
        """)
        XCTAssertEqual(down.status, 69, down.stderr + down.stdout)
        let failed = backendLines(down)
        XCTAssertEqual(failed.count, 3, down.stdout)
        XCTAssertTrue(failed[0].hasPrefix("registry: FAILED (") && failed[0].contains("127.0.0.1:\(redisPort)"), down.stdout)
        XCTAssertEqual(failed[1], "storage: ok (local directory \(dir.path)/data)", "the next backend is still tried")
        XCTAssertTrue(failed[2].hasPrefix("notifications: FAILED (") && failed[2].contains("127.0.0.1:\(kafkaPort)"), down.stdout)
    }

    func testTheBucketIsAskedWithHead() throws {
        let moto = try MotoServer()
        defer { moto.stop() }
        try moto.createBucket("scraper-connect")
        let credentials = ["AWS_ACCESS_KEY_ID": "AKIACONNECT000000000", "AWS_SECRET_ACCESS_KEY": "connect-secret"]
        func yaml(_ bucket: String) -> String {
            """
            defaults:
              storage: {type: s3, bucket: \(bucket), region: us-east-1, endpoint_url: "\(moto.endpoint)"}
              registry: {type: embedded, path: \(dir.path)/data/registry.sqlite3, allow_mixed_sharing: true}
            collectors: {}
            """
        }
        let present = try check(yaml("scraper-connect"), environment: credentials)
        XCTAssertEqual(present.status, 0, present.stderr + present.stdout)
        XCTAssertTrue(backendLines(present).contains { $0.hasPrefix("storage: ok (") && $0.contains("scraper-connect") }, present.stdout)
        let missing = try check(yaml("scraper-missing"), environment: credentials)
        XCTAssertEqual(missing.status, 69, missing.stderr + missing.stdout)
        XCTAssertTrue(backendLines(missing).contains { $0.hasPrefix("storage: FAILED (") && $0.contains("scraper-missing") }, missing.stdout)
        XCTAssertFalse(missing.stdout.contains("connect-secret"), "the secret key is never printed")
    }
}
