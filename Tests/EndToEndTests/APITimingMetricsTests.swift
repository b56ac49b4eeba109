import Foundation
import TestSupport
import XCTest

/// `scraper_api_response_seconds` is the API's own time: rate-limit waits and retry backoff are
/// recorded apart, in `scraper_http_wait_seconds{reason}`. Checked with ratios measured in one run.
final class APITimingMetricsTests: XCTestCase {
    private func value(_ exposition: String, _ name: String, _ labels: [String] = []) -> Double? {
        exposition.split(separator: "\n").first { $0.hasPrefix(name) && !$0.hasPrefix("#") && labels.allSatisfy($0.contains) }
            .flatMap { $0.split(separator: " ").last }.flatMap { Double($0) }
    }

    func testRateLimitAndBackoffWaitsAreNotCountedAsAPIResponseTime() throws {
        let sim = try MisoSimulatorProcess()
        defer { sim.stop() }
        let scraper = ScraperInvocation()
        defer { try? FileManager.default.removeItem(at: scraper.directory) }
        try scraper.writeConfig("""
        defaults:
          retry: {max_attempts: 3, base_delay: 1, max_delay: 1}
        collectors:
          miso-cts: {type: miso.cts}
        """)
        try sim.setFault("http-503", count: 1)   // the first request is refused once, then retried
        let metrics = scraper.directory.appendingPathComponent("metrics.prom").path
        // Four days, one at a time, at 60 requests a minute: three waits of about a second for the slot.
        let result = try scraper.run(["run", "miso-cts", "--start-date", "2025-01-17", "--end-date", "2025-01-20",
                                      "--api-url", sim.url(MisoSimulatorProcess.ctsPath), "--rate-limit", "60",
                                      "--concurrency", "1", "--log-format", "json", "--metrics-file", metrics])
        XCTAssertEqual(result.status, 0, result.transcript)
        XCTAssertEqual(result.count("collected"), 4, result.transcript)
        let text = try String(contentsOfFile: metrics, encoding: .utf8)

        let rateLimited = try XCTUnwrap(value(text, "scraper_http_wait_seconds_sum", ["reason=\"rate_limit\""]), text)
        let backoff = try XCTUnwrap(value(text, "scraper_http_wait_seconds_count", ["reason=\"retry_backoff\""]), text)
        let api = try XCTUnwrap(value(text, "scraper_api_response_seconds_sum"), text)
        XCTAssertEqual(try XCTUnwrap(value(text, "scraper_api_response_seconds_count")), 4, "one API time per download")
        XCTAssertEqual(backoff, 1, "the one retry waited once")
        XCTAssertGreaterThan(rateLimited, 1.5, "three waits for the slot at 1/s")
        // Side by side in one run: the simulator answers in milliseconds, the waits take seconds.
        XCTAssertLessThan(api, rateLimited / 4, "API time \(api) s must not contain the \(rateLimited) s of rate-limit waits")
    }
}
