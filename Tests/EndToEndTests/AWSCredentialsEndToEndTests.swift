import Foundation
import TestSupport
import XCTest

/// The built binary in a pod as EKS with IRSA sets it up: no AWS keys anywhere, only a projected
/// web-identity token and a role ARN. It assumes the role at STS (moto) and stores the day.
final class AWSCredentialsEndToEndTests: XCTestCase {
    func testARunWithOnlyAWebIdentityTokenAssumesTheRoleAndStores() throws {
        let sim = try MisoSimulatorProcess()
        let moto = try MotoServer()
        let redis = try RedisServer()
        defer { sim.stop(); moto.stop(); redis.stop() }
        try moto.createBucket("irsa-bucket")
        let role = try moto.createRole(named: "scraper-pod")
        let scraper = ScraperInvocation()
        defer { try? FileManager.default.removeItem(at: scraper.directory) }
        let token = "eyJhbGciOiJSUzI1NiJ9.service-account-token.signature"
        let tokenFile = scraper.directory.appendingPathComponent("token")
        try Data(token.utf8).write(to: tokenFile)
        var invocation = scraper
        invocation.environment = ["AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile.path, "AWS_ROLE_ARN": role,
                                  "AWS_ROLE_SESSION_NAME": "scraper-pod-1", "AWS_ENDPOINT_URL": moto.endpoint,
                                  "AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true"]
        let result = try invocation.run(["run", "miso-cts", "--date", "2025-01-20", "--s3-bucket", "irsa-bucket",
                                         "--redis-host", "127.0.0.1", "--redis-port", String(redis.port),
                                         "--api-url", sim.url(MisoSimulatorProcess.ctsPath), "--rate-limit", "0", "--log-format", "json"])
        XCTAssertEqual(result.status, 0, result.transcript)
        XCTAssertEqual(result.count("collected"), 1, result.transcript)
        XCTAssertEqual(try moto.listKeys("irsa-bucket").count, 1)
        XCTAssertTrue(result.stderr.contains("web identity role \(role)"), "the log says where the credentials came from: \(result.stderr)")
        XCTAssertFalse(result.stderr.contains(token), "the token never appears in the log")

        // Without the token file, the error says which sources were tried, in order.
        invocation.environment["AWS_WEB_IDENTITY_TOKEN_FILE"] = nil
        invocation.environment["AWS_ROLE_ARN"] = nil
        let refused = try invocation.run(["run", "miso-cts", "--date", "2025-01-21", "--s3-bucket", "irsa-bucket",
                                          "--redis-host", "127.0.0.1", "--redis-port", String(redis.port),
                                          "--api-url", sim.url(MisoSimulatorProcess.ctsPath), "--rate-limit", "0"])
        XCTAssertEqual(refused.status, 64, refused.transcript)
        XCTAssertTrue(refused.stderr.contains("no AWS credentials found; tried, in order: 1. environment variables"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("5. EC2 instance metadata: disabled by AWS_EC2_METADATA_DISABLED"), refused.stderr)
    }
}
