import CollectionFramework
import Foundation
import TestSupport
import XCTest

/// `run --pushgateway` against a real Pushgateway: one group per collector and environment, POSTed, so a
/// failed run after a good one leaves the good run's last-success timestamp in place.
final class PushgatewayGroupingTests: XCTestCase {
    private func scrape(_ port: Int) throws -> [String] {
        let response = try CurlHTTPClient().sendBlocking(HTTPRequest(url: "http://127.0.0.1:\(port)/metrics", timeout: 10))
        return String(decoding: response.body, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    private func sample(_ lines: [String], _ name: String, _ labels: [String]) -> Double? {
        lines.first { $0.hasPrefix(name + "{") && labels.allSatisfy($0.contains) }
            .flatMap { $0.split(separator: " ").last }.flatMap { Double($0) }
    }

    func testAFailedRunAfterAGoodOneLeavesLastSuccessInItsCollectorsGroup() throws {
        guard let gateway = TestPaths.which("prometheus-pushgateway") else {
            throw XCTSkip("prometheus-pushgateway is not installed: run scripts/install-deps.sh")
        }
        let port = Loopback.freePort()
        let pushgateway = try ChildProcess(gateway, ["--web.listen-address=127.0.0.1:\(port)"])
        defer { pushgateway.stop() }
        XCTAssertTrue(Loopback.waitUntilListening(port, timeout: 20), pushgateway.stderr)
        let sim = try MisoSimulatorProcess()
        defer { sim.stop() }
        let scraper = ScraperInvocation()
        defer { try? FileManager.default.removeItem(at: scraper.directory) }
        func run(_ name: String, _ type: String, date: String) throws -> ScraperResult {
            try scraper.run(["run", name, "--date", date, "--api-url", sim.url(MisoSimulatorProcess.ctsPath), "--rate-limit", "0",
                             "--log-format", "json", "--pushgateway", "http://127.0.0.1:\(port)"])
        }
        try scraper.writeConfig("""
        collectors:
          cts-a: {type: miso.cts}
          cts-b: {type: miso.cts}
        """)

        let good = try run("cts-a", "miso.cts", date: "2025-01-20")
        XCTAssertEqual(good.status, 0, good.transcript)
        XCTAssertFalse(good.stderr.contains("metrics push failed"), good.stderr)
        let other = try run("cts-b", "miso.cts", date: "2025-01-20")
        XCTAssertEqual(other.status, 0, other.transcript)
        var lines = try scrape(port)
        let groupA = ["collector=\"cts-a\"", "environment=\"dev\"", "job=\"scraper\""]
        let lastSuccess = try XCTUnwrap(sample(lines, "scraper_last_success_timestamp_seconds", groupA), lines.joined(separator: "\n"))
        XCTAssertNotNil(sample(lines, "scraper_last_success_timestamp_seconds", ["collector=\"cts-b\""]), "each collector has its own group")
        XCTAssertTrue(lines.contains { $0.hasPrefix("push_time_seconds{") && $0.contains("collector=\"cts-a\"") }, "grouped by collector")

        // The same collector fails (the simulator answers 500 to every try): its push must not erase the success.
        try sim.setFault("http-500", count: 0)
        let failed = try run("cts-a", "miso.cts", date: "2025-01-21")
        XCTAssertEqual(failed.status, 1, failed.transcript)
        XCTAssertFalse(failed.stderr.contains("metrics push failed"), failed.stderr)
        lines = try scrape(port)
        XCTAssertEqual(sample(lines, "scraper_last_success_timestamp_seconds", groupA), lastSuccess, "the good run's last success stays")
        XCTAssertEqual(sample(lines, "scraper_candidates_total", groupA + ["outcome=\"failed\""]), 1, "the failed run's own series arrived")
        XCTAssertNotNil(sample(lines, "scraper_last_success_timestamp_seconds", ["collector=\"cts-b\""]), "the other collector is untouched")
    }

    func testTheExpositionSplitsByCollectorLabelWithEachFamilysHeaders() {
        let text = """
        # TYPE scraper_candidates_total counter
        scraper_candidates_total{collector="a",environment="dev",outcome="collected"} 2
        scraper_candidates_total{collector="b",environment="dev",outcome="failed"} 1
        # TYPE scraper_daemon_scheduled_collectors gauge
        scraper_daemon_scheduled_collectors{environment="dev"} 2
        # HELP scraper_api_response_seconds API latency
        # TYPE scraper_api_response_seconds histogram
        scraper_api_response_seconds_bucket{collector="a",environment="dev",le="+Inf"} 1
        scraper_api_response_seconds_sum{collector="a",environment="dev"} 0.5
        """
        let groups = PushgatewayGroups(exposition: text, environment: "dev").groups.map { ($0.path, $0.text) }
        XCTAssertEqual(groups.map(\.0), ["/environment/dev/collector/a", "/environment/dev/collector/b", "/environment/dev"])
        XCTAssertEqual(groups[0].1, """
        # TYPE scraper_candidates_total counter
        scraper_candidates_total{collector="a",environment="dev",outcome="collected"} 2
        # HELP scraper_api_response_seconds API latency
        # TYPE scraper_api_response_seconds histogram
        scraper_api_response_seconds_bucket{collector="a",environment="dev",le="+Inf"} 1
        scraper_api_response_seconds_sum{collector="a",environment="dev"} 0.5

        """)
        XCTAssertEqual(groups[2].1, "# TYPE scraper_daemon_scheduled_collectors gauge\nscraper_daemon_scheduled_collectors{environment=\"dev\"} 2\n")
    }
}
