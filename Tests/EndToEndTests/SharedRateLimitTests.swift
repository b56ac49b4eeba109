import Foundation
import TestSupport
import XCTest

/// Rate limits belong to the host (or a `rate_limit_group`): every collector of a process shares
/// them, and with Redis every process does. The simulator's log of arrival times is the referee.
final class SharedRateLimitTests: XCTestCase {
    func testThreeCollectorsOnOneHostShareItsLimitInOneProcess() throws {
        let sim = try MisoSimulatorProcess()
        defer { sim.stop() }
        let scraper = ScraperInvocation()
        defer { try? FileManager.default.removeItem(at: scraper.directory) }
        let url = sim.url(MisoSimulatorProcess.ctsPath)
        try scraper.writeConfig("""
        collectors:
          cts-a: {type: miso.cts, api_url: "\(url)", http: {rate_limit_per_minute: 120}}
          cts-b: {type: miso.cts, api_url: "\(url)", http: {rate_limit_per_minute: 120}}
          cts-c: {type: miso.cts, api_url: "\(url)", http: {rate_limit_per_minute: 120}}
        """)
        let result = try scraper.run(["run", "--all", "--start-date", "2025-01-18", "--end-date", "2025-01-20", "--log-format", "json"])
        XCTAssertEqual(result.status, 0, result.transcript)
        let stats = try sim.stats()
        XCTAssertEqual(stats.requests, 9, "three collectors, three days each")
        // 120 a minute is one every 0.5 s for the host: no 0.3 s window (0.2 s allowed for scheduling jitter) holds two.
        XCTAssertEqual(stats.maxRequests(inAnyWindowOf: 0.3), 1, "requests to the host: \(stats.requestTimes)")
        XCTAssertLessThanOrEqual(stats.maxRequests(inAnyWindowOf: 60), 120)
    }

    func testCollectorsOnDifferentHostsInOneGroupShareTheGroupsLimit() throws {
        let sim = try MisoSimulatorProcess()
        defer { sim.stop() }
        let scraper = ScraperInvocation()
        defer { try? FileManager.default.removeItem(at: scraper.directory) }
        // The same simulator under two host names: separate limits unless a group joins them.
        let byIP = sim.url(MisoSimulatorProcess.ctsPath)
        let byName = byIP.replacingOccurrences(of: "127.0.0.1", with: "localhost")
        try scraper.writeConfig("""
        collectors:
          cts-ip: {type: miso.cts, api_url: "\(byIP)", http: {rate_limit_per_minute: 120, rate_limit_group: miso}}
          cts-name: {type: miso.cts, api_url: "\(byName)", http: {rate_limit_per_minute: 120, rate_limit_group: miso}}
        """)
        let result = try scraper.run(["run", "--all", "--start-date", "2025-01-19", "--end-date", "2025-01-20", "--log-format", "json"])
        XCTAssertEqual(result.status, 0, result.transcript)
        let stats = try sim.stats()
        XCTAssertEqual(stats.requests, 4)
        XCTAssertEqual(stats.maxRequests(inAnyWindowOf: 0.3), 1, "one group, one limit: \(stats.requestTimes)")
    }

    func testTwoProcessesSharingRedisNeverExceedTheHostsLimit() throws {
        let sim = try MisoSimulatorProcess()
        let redis = try RedisServer()
        defer { sim.stop(); redis.stop() }
        let runs = (0..<2).map { _ in ScraperInvocation() }
        defer { runs.forEach { try? FileManager.default.removeItem(at: $0.directory) } }
        // 30 a minute is one every 2 s for the host, whichever process asks.
        let children = try runs.map { scraper in
            try scraper.start(["run", "miso-cts", "--start-date", "2025-01-19", "--end-date", "2025-01-20",
                               "--api-url", sim.url(MisoSimulatorProcess.ctsPath), "--rate-limit", "30", "--log-format", "json",
                               "--redis-host", "127.0.0.1", "--redis-port", String(redis.port), "--allow-mixed-sharing"])
        }
        for child in children { XCTAssertEqual(child.wait(timeout: 120), 0, child.stderr) }
        let stats = try sim.stats()
        XCTAssertEqual(stats.requests, 4, "two days in each of two processes")
        XCTAssertEqual(stats.maxRequests(inAnyWindowOf: 1.5), 1, "requests across both processes: \(stats.requestTimes)")
        XCTAssertLessThanOrEqual(stats.maxRequests(inAnyWindowOf: 60), 30)
    }
}
