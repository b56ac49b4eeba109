import CollectionFramework
import Foundation
import TestSupport
import XCTest

/// What happens when Redis is away, restarts, or wants a password.
final class RedisConnectionFailureTests: XCTestCase {
    func testUnreachablePortGivesAClearError() throws {
        let port = Loopback.freePort()
        let configuration = try RedisConfiguration(host: "127.0.0.1", port: port, connectTimeout: 2)
        XCTAssertThrowsError(try RedisHashRegistry(configuration: configuration)) { error in
            guard case .unavailable(let message)? = error as? HashRegistryError else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("cannot connect to Redis at 127.0.0.1:\(port)"), message)
            XCTAssertTrue(message.contains("Connection refused"), message)
            XCTAssertTrue(message.contains("is redis-server running?"), message)
            XCTAssertTrue(message.contains("--redis-host/--redis-port"), message)
        }
    }

    func testReconnectsAfterTheServerRestartsOnTheSamePort() throws {
        let server = try RedisServer()
        let registry = try RedisHashRegistry(configuration: RedisTestHelpers.configuration(server))
        let sha = RedisTestHelpers.sha("before restart")
        try registry.register(sha256: sha, datasetGroup: "g", record: RedisTestHelpers.record("r"), ttl: 60)
        XCTAssertTrue(try registry.exists(sha256: sha, datasetGroup: "g"))

        try server.restart()  // nothing is persisted: the data is gone, the old connection is dead
        XCTAssertFalse(try registry.exists(sha256: sha, datasetGroup: "g"))
        try registry.register(sha256: sha, datasetGroup: "g", record: RedisTestHelpers.record("r"), ttl: 60)
        XCTAssertTrue(try registry.exists(sha256: sha, datasetGroup: "g"))
    }

    func testWaitsWithBackoffForAServerThatComesBack() throws {
        let server = try RedisServer()
        let registry = try RedisHashRegistry(configuration: RedisTestHelpers.configuration(server))
        server.stop()
        let restarted = expectation(description: "server restarted")
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.4) {
            do { try server.start() } catch { XCTFail("restart failed: \(error)") }
            restarted.fulfill()
        }
        let started = Date()
        XCTAssertNoThrow(try registry.checkReachable())
        XCTAssertGreaterThan(Date().timeIntervalSince(started), 0.3, "the command cannot have succeeded before the restart")
        wait(for: [restarted], timeout: 10)
        XCTAssertTrue(try registry.claim(sha256: RedisTestHelpers.sha("after"), datasetGroup: "g", ttl: 30))
    }

    func testLargeWriteToAStoppedServerFailsWithoutKillingTheProcess() throws {
        // Writing several megabytes to a closed socket hits EPIPE; without SIGPIPE ignored the
        // whole process would die here.
        let server = try RedisServer()
        let registry = try RedisHashRegistry(configuration: RedisTestHelpers.configuration(server, reconnectDelays: [0.05]))
        server.stop()
        let big = RegistryRecord(location: "s3://b/k", registeredAt: "2025-01-01T00:00:00.000000Z",
                                 metadata: JSONObject([("blob", .string(String(repeating: "x", count: 8 * 1024 * 1024)))]))
        XCTAssertThrowsError(try registry.register(sha256: RedisTestHelpers.sha("big"), datasetGroup: "g", record: big, ttl: 60)) { error in
            guard case .unavailable? = error as? HashRegistryError else { return XCTFail("\(error)") }
        }
    }

    func testABusyServerHitsTheCommandTimeout() throws {
        let server = try RedisServer()
        let configuration = try RedisConfiguration(host: "127.0.0.1", port: server.port, connectTimeout: 1,
                                                   commandTimeout: 0.3, reconnectDelays: [0.05])
        let registry = try RedisHashRegistry(configuration: configuration)
        // A script that keeps the single-threaded server busy for 1.5 s.
        let busy = """
            local t = redis.call('TIME'); local start = t[1] * 1000000 + t[2]
            while true do local n = redis.call('TIME'); if n[1] * 1000000 + n[2] - start > 1500000 then break end end
            return 1
            """
        let blocker = try RedisTestHelpers.rawConnection(server)
        let done = expectation(description: "busy script finished")
        let busyFinished = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            _ = try? blocker.command(["EVAL", busy, "0"])
            busyFinished.signal()
            done.fulfill()
        }
        usleep(200_000)
        let started = Date()
        XCTAssertThrowsError(try registry.exists(sha256: RedisTestHelpers.sha("t"), datasetGroup: "g")) { error in
            guard case .unavailable(let message)? = error as? HashRegistryError else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("command timeout of 0.3 s"), message)
        }
        // Ordering, not a stopwatch: the command gave up while the 1.5 s script was still running.
        XCTAssertEqual(busyFinished.wait(timeout: .now()), .timedOut, "the command timeout was not applied: it waited for the busy script")
        XCTAssertLessThan(Date().timeIntervalSince(started), 15, "hang guard")
        wait(for: [done], timeout: 10)
        XCTAssertFalse(try registry.exists(sha256: RedisTestHelpers.sha("t"), datasetGroup: "g"))
    }

    func testServerGoneForGoodGivesUnavailableAfterTheRetries() throws {
        let server = try RedisServer()
        let port = server.port
        let registry = try RedisHashRegistry(configuration: RedisTestHelpers.configuration(server, reconnectDelays: [0.1, 0.2, 0.3]))
        server.stop()
        let started = Date()
        XCTAssertThrowsError(try registry.exists(sha256: RedisTestHelpers.sha("x"), datasetGroup: "g")) { error in
            guard case .unavailable(let message)? = error as? HashRegistryError else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("127.0.0.1:\(port)"), message)
            XCTAssertTrue(message.contains("3 reconnect attempts"), message)
            XCTAssertTrue(message.contains("Connection refused"), message)
        }
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.6, "the backoff delays were not waited")
        // Once the server is back, the same registry works again.
        try server.start()
        XCTAssertNoThrow(try registry.checkReachable())
    }

    func testPasswordProtectedServer() throws {
        let marker = "marker-secret-\(UUID().uuidString)"
        let server = try RedisServer(password: marker)

        let registry = try RedisHashRegistry(configuration: RedisTestHelpers.configuration(server))
        XCTAssertNoThrow(try registry.checkReachable())
        let sha = RedisTestHelpers.sha("secret")
        try registry.register(sha256: sha, datasetGroup: "g", record: RedisTestHelpers.record("s"), ttl: 60)
        XCTAssertTrue(try registry.exists(sha256: sha, datasetGroup: "g"))
        XCTAssertFalse(registry.displayName.contains(marker))
        XCTAssertFalse(registry.configuration.description.contains(marker))

        let wrong = "wrong-\(marker)"
        XCTAssertThrowsError(try RedisHashRegistry(configuration: RedisTestHelpers.configuration(server, password: wrong))) { error in
            guard case .unavailable(let message)? = error as? HashRegistryError else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("127.0.0.1:\(server.port)"), message)
            XCTAssertTrue(message.contains("password"), message)
            XCTAssertTrue(message.contains("WRONGPASS"), message)
            XCTAssertFalse(message.contains(marker), "the error shows the password: \(message)")
            XCTAssertFalse("\(error)".contains(marker))
            XCTAssertFalse(String(reflecting: error).contains(marker))
        }

        let none = try RedisConfiguration(host: "127.0.0.1", port: server.port, password: nil)
        XCTAssertThrowsError(try RedisHashRegistry(configuration: none)) { error in
            guard case .unavailable(let message)? = error as? HashRegistryError else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("requires a password"), message)
            XCTAssertTrue(message.contains("REDIS_PASSWORD"), message)
        }
    }

    func testPasswordFromTheEnvironmentVariable() throws {
        let marker = "marker-secret-\(UUID().uuidString)"
        let server = try RedisServer(password: marker)
        let password = RedisConfiguration.resolvedPassword(config: nil, environment: ["REDIS_PASSWORD": marker])
        let configuration = try RedisConfiguration(host: "127.0.0.1", port: server.port, password: password)
        XCTAssertNoThrow(try RedisHashRegistry(configuration: configuration).checkReachable())
    }

    func testSelectsTheConfiguredDatabase() throws {
        let server = try RedisServer()
        let configuration = try RedisConfiguration(host: "127.0.0.1", port: server.port, database: 3)
        let sha = RedisTestHelpers.sha("db3")
        try RedisHashRegistry(configuration: configuration)
            .register(sha256: sha, datasetGroup: "g", record: RedisTestHelpers.record("d"), ttl: 60)
        let raw = try RedisTestHelpers.rawConnection(server)
        XCTAssertEqual(try raw.command(["EXISTS", "hash:dev:g:\(sha)"]).integer, 0, "written to database 0")
        XCTAssertEqual(try raw.command(["SELECT", "3"]), .status("OK"))
        XCTAssertEqual(try raw.command(["EXISTS", "hash:dev:g:\(sha)"]).integer, 1)

        let tooHigh = try RedisConfiguration(host: "127.0.0.1", port: server.port, database: 99)
        XCTAssertThrowsError(try RedisHashRegistry(configuration: tooHigh)) { error in
            guard case .unavailable(let message)? = error as? HashRegistryError else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("database 99"), message)
        }
    }
}
