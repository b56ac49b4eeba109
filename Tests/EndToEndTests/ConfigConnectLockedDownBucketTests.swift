import Foundation
import TestSupport
import XCTest

/// `scraper config check --connect` on a bucket the credentials may only PutObject into: the skipped
/// checks are warnings on the storage line, not a failure (exit 0), and `storage.sse` is accepted.
final class ConfigConnectLockedDownBucketTests: XCTestCase {
    func testPutObjectOnlyBucketIsReachableWithWarnings() throws {
        let moto = try MotoServer()
        defer { moto.stop() }
        try moto.createBucket("locked-bucket")
        let proxy = try LockedDownBucketProxy(upstream: moto.endpoint, putObjectOnly: true)
        defer { proxy.stop() }
        let dir = TestPaths.temporaryDirectory("config-locked")
        defer { try? FileManager.default.removeItem(at: dir) }
        try """
        defaults:
          storage: {type: s3, bucket: locked-bucket, endpoint_url: "\(proxy.endpoint)", sse: aws:kms, kms_key_id: alias/scraper-data}
          registry: {type: embedded, path: \(dir.path)/registry.sqlite3, allow_mixed_sharing: true}
        collectors: {}
        """.write(to: dir.appendingPathComponent("collectors.yaml"), atomically: true, encoding: .utf8)
        var env = ProcessInfo.processInfo.environment
        for key in ["S3_BUCKET", "REDIS_HOST", "REDIS_PORT", "REDIS_PASSWORD", "AWS_PROFILE", "KAFKA_CONNECTION_STRING"] { env[key] = nil }
        env["HOME"] = dir.path
        env["AWS_ACCESS_KEY_ID"] = "AKIALOCKED0000000000"
        env["AWS_SECRET_ACCESS_KEY"] = "locked-secret"
        let result = try runCommand(TestPaths.product("scraper"), ["config", "check", "--connect"], environment: env,
                                    currentDirectory: dir, timeout: 60)
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let storage = result.stdout.split(separator: "\n").first { $0.hasPrefix("storage: ") }.map(String.init) ?? ""
        XCTAssertTrue(storage.hasPrefix("storage: ok (s3://locked-bucket"), result.stdout)
        XCTAssertTrue(storage.contains("warning: could not check s3://locked-bucket at start") && storage.contains("grant s3:ListBucket"), storage)
        XCTAssertTrue(storage.contains("grant s3:GetBucketVersioning"), storage)
        XCTAssertFalse(result.stdout.contains("locked-secret") || result.stderr.contains("locked-secret"))
    }
}
