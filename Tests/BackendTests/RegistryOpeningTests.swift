import BlockingIO
import CollectionFramework
import Foundation
import TestSupport
import XCTest

/// The async ways to open a registry: the blocking open (SQLite file, Redis handshake) runs on the
/// pool, and the registry then behaves like one made with `init`.
final class RegistryOpeningTests: XCTestCase {
    func testSQLiteOpenOnThePoolGivesAWorkingRegistry() async throws {
        let directory = TestPaths.temporaryDirectory("sqlite-open")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("nested/registry.sqlite").path
        let pool = BlockingIOPool(name: "sqlite-open-test", maximumThreads: 1)
        let registry = try await SQLiteHashRegistry.open(path: path, environment: "dev", pool: pool)
        XCTAssertEqual(pool.startedThreads, 1, "the file was opened on the given pool")
        let sha = RedisTestHelpers.sha("opened")
        try await registry.register(sha256: sha, datasetGroup: "g", record: RedisTestHelpers.record("opened"), ttl: 60)
        await XCTAssertTrueAsync(try await registry.exists(sha256: sha, datasetGroup: "g"))
        let stored = try await registry.get(sha256: sha, datasetGroup: "g")
        XCTAssertEqual(stored, RedisTestHelpers.record("opened"))
        await XCTAssertThrowsErrorAsync(try await SQLiteHashRegistry.open(path: path, environment: "qa")) { error in
            XCTAssertEqual(error as? HashRegistryError, .failed("environment \"qa\" is not one of dev, staging, prod"))
        }
    }

    func testRedisConnectOnThePoolGivesAWorkingRegistryOrTheInitError() async throws {
        let server = try RedisServer()
        let pool = BlockingIOPool(name: "redis-connect-test", maximumThreads: 1)
        let registry = try await RedisHashRegistry.connect(configuration: RedisTestHelpers.configuration(server), pool: pool)
        XCTAssertEqual(pool.startedThreads, 1, "the connection was made on the given pool")
        let sha = RedisTestHelpers.sha("connected")
        await XCTAssertTrueAsync(try await registry.claim(sha256: sha, datasetGroup: "g", ttl: 30))
        try await registry.releaseClaim(sha256: sha, datasetGroup: "g")
        let port = server.port
        server.stop()
        await XCTAssertThrowsErrorAsync(try await RedisHashRegistry.connect(configuration: RedisTestHelpers.configuration(server))) { error in
            guard case .unavailable(let message)? = error as? HashRegistryError else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("127.0.0.1:\(port)"), message)
        }
    }
}
