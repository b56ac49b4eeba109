import Foundation
import TestSupport
import XCTest

/// Connections are reused: a 30-day backfill against the simulator (which keeps connections alive, as
/// a real API does) opens a handful of TCP connections, not one per request.
final class ConnectionReuseTests: XCTestCase {
    func testAThirtyDayBackfillReusesItsConnections() throws {
        let sim = try MisoSimulatorProcess(arguments: ["--nodes", "2"])
        defer { sim.stop() }
        let scraper = ScraperInvocation()
        defer { try? FileManager.default.removeItem(at: scraper.directory) }
        let before = try sim.stats().connections   // the start-up probe and this stats request
        let result = try scraper.run(["run", "miso-cts", "--start-date", "2025-01-01", "--end-date", "2025-01-30",
                                      "--api-url", sim.url(MisoSimulatorProcess.ctsPath), "--rate-limit", "0",
                                      "--concurrency", "2", "--log-format", "json"])
        XCTAssertEqual(result.status, 0, result.transcript)
        XCTAssertEqual(result.count("collected"), 30, result.transcript)
        let stats = try sim.stats()
        XCTAssertEqual(stats.requests, 30)
        // One connection for this stats request; the backfill's are the rest.
        let opened = stats.connections - before - 1
        print("connection reuse: \(stats.requests) requests over \(opened) TCP connections (concurrency 2)")
        XCTAssertLessThanOrEqual(opened, 4, "at most concurrency + 2 connections for 30 requests, not one each")
        XCTAssertGreaterThanOrEqual(opened, 1)
    }
}
