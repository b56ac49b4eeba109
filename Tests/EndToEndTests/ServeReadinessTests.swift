import CollectionFramework
import Foundation
import TestSupport
import XCTest

/// `/readyz` answers anyone who can reach the pod, so it names what is wrong without the AWS access
/// key id that the store's error (and the log) carry.
final class ServeReadinessTests: XCTestCase {
    func testReadyzNamesTheUnreachableStoreWithoutTheAccessKeyID() throws {
        let moto = try MotoServer()
        let redis = try RedisServer()
        defer { moto.stop(); redis.stop() }
        try moto.createBucket("ready-bucket")
        let dir = TestPaths.temporaryDirectory("readyz")
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("collectors.yaml")
        try Data("""
        defaults:
          storage: {type: s3, bucket: ready-bucket, region: us-east-1, endpoint_url: "\(moto.endpoint)"}
          registry: {type: redis, host: 127.0.0.1, port: \(redis.port)}
        collectors: {}
        """.utf8).write(to: config)
        let keyID = "AKIAREADYZ0000000042"
        let env = ["AWS_ACCESS_KEY_ID": keyID, "AWS_SECRET_ACCESS_KEY": "readyz-secret", "HOME": dir.path,
                   "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        let serve = try ServeProcess(["--config", config.path, "--log-format", "json"], environment: env, directory: dir)
        defer { serve.child.stop() }
        XCTAssertEqual(try serve.get("/readyz").status, 200)

        // moto now checks signatures, and knows no such key: the store's error names the key id.
        try moto.enableSignatureChecks()
        let answer = try serve.get("/readyz")
        XCTAssertEqual(answer.status, 503, answer.body)
        XCTAssertTrue(answer.body.contains("store ") && answer.body.contains("unreachable"), answer.body)
        XCTAssertTrue(answer.body.contains("<access key id withheld; see the log>"), answer.body)
        XCTAssertFalse(answer.body.contains(keyID), answer.body)
        XCTAssertFalse(answer.body.contains("readyz-secret"), answer.body)
    }
}
