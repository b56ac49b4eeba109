import CollectionFramework
import TestSupport
import XCTest

/// `--concurrency N` seen from the server: a counting proxy in front of a slow simulator records how
/// many requests a backfill holds open at once. N workers mean more than one at a time and never more than N.
final class ConcurrencyOverlapTests: XCTestCase {
    var sim: MisoSimulatorProcess!
    var proxy: InFlightCountingProxy!
    let days = 12

    override func setUpWithError() throws {
        sim = try MisoSimulatorProcess(arguments: ["--today", "2025-01-20", "--nodes", "2", "--latency-ms", "300"])
        proxy = try InFlightCountingProxy(upstream: sim.baseURL)
    }

    override func tearDown() {
        proxy?.stop()
        sim?.stop()
    }

    private func backfill(concurrency: Int) throws -> ScraperResult {
        let scraper = ScraperInvocation()
        defer { try? FileManager.default.removeItem(at: scraper.directory) }
        return try scraper.run(["run", "miso-cts", "--api-url", proxy.endpoint + MisoSimulatorProcess.ctsPath, "--rate-limit", "0",
                                "--start-date", "2025-01-01", "--end-date", String(format: "2025-01-%02d", days),
                                "--concurrency", String(concurrency), "--log-format", "json"])
    }

    func testFourWorkersOverlapRequestsButNeverExceedFour() throws {
        let result = try backfill(concurrency: 4)
        XCTAssertEqual(result.status, 0, result.transcript)
        XCTAssertEqual(result.count("collected"), days, result.transcript)
        let stats = try proxy.stats()
        XCTAssertEqual(stats.requests, days, "one request per day")
        XCTAssertEqual(stats.inFlight, 0)
        XCTAssertGreaterThan(stats.maxInFlight, 1, "requests overlapped at the server")
        XCTAssertLessThanOrEqual(stats.maxInFlight, 4, "never more than --concurrency at once")
    }

    func testOneWorkerNeverOverlaps() throws {
        let result = try backfill(concurrency: 1)
        XCTAssertEqual(result.status, 0, result.transcript)
        let stats = try proxy.stats()
        XCTAssertEqual(stats.requests, days)
        XCTAssertEqual(stats.maxInFlight, 1, "one worker: one request at a time")
    }
}
