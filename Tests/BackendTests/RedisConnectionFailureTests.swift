import BlockingIO
import CollectionFramework
import Foundation
import Logging
import Synchronization
import TestSupport
import XCTest

/// What happens when Redis is away, restarts, or wants a password.
final class RedisConnectionFailureTests: XCTestCase {
    func testUnreachablePortGivesAClearError() async throws {
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

    func testReconnectsAfterTheServerRestartsOnTheSamePort() async throws {
        let server = try RedisServer()
        let registry = try RedisHashRegistry(configuration: RedisTestHelpers.configuration(server))
        let sha = RedisTestHelpers.sha("before restart")
        try await registry.register(sha256: sha, datasetGroup: "g", record: RedisTestHelpers.record("r"), ttl: 60)
        await XCTAssertTrueAsync(try await registry.exists(sha256: sha, datasetGroup: "g"))

        try server.restart()  // nothing is persisted: the data is gone, the old connection is dead
        await XCTAssertFalseAsync(try await registry.exists(sha256: sha, datasetGroup: "g"))
        try await registry.register(sha256: sha, datasetGroup: "g", record: RedisTestHelpers.record("r"), ttl: 60)
        await XCTAssertTrueAsync(try await registry.exists(sha256: sha, datasetGroup: "g"))
    }

    func testWaitsWithBackoffForAServerThatComesBack() async throws {
        let server = try RedisServer()
        // Full-jitter backoff with caps 0.2 ... 3.2 s: in all, a restart 0.4 s later is comfortably covered.
        let registry = try RedisHashRegistry(configuration: RedisTestHelpers.configuration(server, reconnectDelays: [0.2, 0.4, 0.8, 1.6, 3.2]))
        server.stop()
        let restart = Task.detached {
            try await Task.sleep(for: .milliseconds(400))
            try server.start()
        }
        let started = Date()
        await XCTAssertNoThrowAsync(try await registry.checkReachable())
        XCTAssertGreaterThan(Date().timeIntervalSince(started), 0.3, "the command cannot have succeeded before the restart")
        try await restart.value
        await XCTAssertTrueAsync(try await registry.claim(sha256: RedisTestHelpers.sha("after"), datasetGroup: "g", ttl: 30))
    }

    func testLargeWriteToAStoppedServerFailsWithoutKillingTheProcess() async throws {
        // Writing several megabytes to a closed socket hits EPIPE; without SIGPIPE ignored the
        // whole process would die here.
        let server = try RedisServer()
        let registry = try RedisHashRegistry(configuration: RedisTestHelpers.configuration(server, reconnectDelays: [0.05]))
        server.stop()
        let big = RegistryRecord(location: "s3://b/k", registeredAt: "2025-01-01T00:00:00.000000Z",
                                 metadata: JSONObject([("blob", .string(String(repeating: "x", count: 8 * 1024 * 1024)))]))
        await XCTAssertThrowsErrorAsync(try await registry.register(sha256: RedisTestHelpers.sha("big"), datasetGroup: "g", record: big, ttl: 60)) { error in
            guard case .unavailable? = error as? HashRegistryError else { return XCTFail("\(error)") }
        }
    }

    func testABusyServerHitsTheCommandTimeout() async throws {
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
        let port = server.port
        let finished = AsyncOneShot<Bool>()
        let blocking = Task.detached {
            // A raw connection of its own, used only on this task.
            let blocker = try RedisConnection(configuration: RedisConfiguration(host: "127.0.0.1", port: port, commandTimeout: 10))
            _ = try? blocker.command(["EVAL", busy, "0"])
            finished.resolve(.success(true))
        }
        try await Task.sleep(for: .milliseconds(200))
        let started = Date()
        await XCTAssertThrowsErrorAsync(try await registry.exists(sha256: RedisTestHelpers.sha("t"), datasetGroup: "g")) { error in
            guard case .unavailable(let message)? = error as? HashRegistryError else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("command timeout of 0.3 s"), message)
        }
        // Ordering, not a stopwatch: the command gave up while the 1.5 s script was still running.
        XCTAssertFalse(finished.isResolved, "the command timeout was not applied: it waited for the busy script")
        XCTAssertLessThan(Date().timeIntervalSince(started), 15, "hang guard")
        try await blocking.value
        await XCTAssertFalseAsync(try await registry.exists(sha256: RedisTestHelpers.sha("t"), datasetGroup: "g"))
    }

    func testServerGoneForGoodGivesUnavailableAfterTheRetries() async throws {
        let server = try RedisServer()
        let port = server.port
        let captured = CapturedLog()
        let logger = Logger(label: "test") { _ in CapturingLogHandler(log: captured) }
        let registry = try RedisHashRegistry(configuration: RedisTestHelpers.configuration(server, reconnectDelays: [0.1, 0.2, 0.3]),
                                             logger: logger)
        server.stop()
        let started = Date()
        await XCTAssertThrowsErrorAsync(try await registry.exists(sha256: RedisTestHelpers.sha("x"), datasetGroup: "g")) { error in
            guard case .unavailable(let message)? = error as? HashRegistryError else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("127.0.0.1:\(port)"), message)
            XCTAssertTrue(message.contains("3 reconnect attempts"), message)
            XCTAssertTrue(message.contains("Connection refused"), message)
        }
        let elapsed = Date().timeIntervalSince(started)
        // The waits the registry announced (its "delay_s" log metadata), in order.
        let delays = captured.entries.compactMap { entry -> Double? in
            guard case .string(let text)? = entry.metadata["delay_s"] else { return nil }
            return Double(text)
        }
        XCTAssertEqual(delays.count, 3, "one wait before each of the 3 reconnects: \(delays)")
        for (delay, cap) in zip(delays, [0.1, 0.2, 0.3]) {
            XCTAssertTrue((0...cap).contains(delay), "full jitter keeps each wait within its cap: \(delays)")
        }
        XCTAssertGreaterThanOrEqual(elapsed, delays.reduce(0, +) * 0.95, "the backoff delays were waited: \(delays), \(elapsed) s")
        // Once the server is back, the same registry works again.
        try server.start()
        await XCTAssertNoThrowAsync(try await registry.checkReachable())
    }

    /// SIGTERM during a Redis outage: the cancelled task stops at once instead of sitting out the
    /// reconnect schedule (here up to 3 × 10 s).
    func testCancelledTaskStopsReconnectingAtOnce() async throws {
        let server = try RedisServer()
        let registry = try RedisHashRegistry(configuration: RedisTestHelpers.configuration(server, reconnectDelays: [10, 10, 10]))
        server.stop()
        let asking = Task { try await registry.exists(sha256: RedisTestHelpers.sha("x"), datasetGroup: "g") }
        try await Task.sleep(for: .milliseconds(300))
        let cancelled = Date()
        asking.cancel()
        await XCTAssertThrowsErrorAsync(try await asking.value) { error in
            XCTAssertLessThan(Date().timeIntervalSince(cancelled), 1.0, "the reconnect wait must end when the task is cancelled")
            guard case .unavailable(let message)? = error as? HashRegistryError else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("the run is stopping"), message)
        }
    }

    func testPasswordProtectedServer() async throws {
        let marker = "marker-secret-\(UUID().uuidString)"
        let server = try RedisServer(password: marker)

        let registry = try RedisHashRegistry(configuration: RedisTestHelpers.configuration(server))
        await XCTAssertNoThrowAsync(try await registry.checkReachable())
        let sha = RedisTestHelpers.sha("secret")
        try await registry.register(sha256: sha, datasetGroup: "g", record: RedisTestHelpers.record("s"), ttl: 60)
        await XCTAssertTrueAsync(try await registry.exists(sha256: sha, datasetGroup: "g"))
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

    func testPasswordFromTheEnvironmentVariable() async throws {
        let marker = "marker-secret-\(UUID().uuidString)"
        let server = try RedisServer(password: marker)
        let password = RedisConfiguration.resolvedPassword(config: nil, environment: ["REDIS_PASSWORD": marker])
        let configuration = try RedisConfiguration(host: "127.0.0.1", port: server.port, password: password)
        await XCTAssertNoThrowAsync(try await RedisHashRegistry(configuration: configuration).checkReachable())
    }

    func testSelectsTheConfiguredDatabase() async throws {
        let server = try RedisServer()
        let configuration = try RedisConfiguration(host: "127.0.0.1", port: server.port, database: 3)
        let sha = RedisTestHelpers.sha("db3")
        try await RedisHashRegistry(configuration: configuration)
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
