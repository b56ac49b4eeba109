import CollectionFramework
import TestSupport
import XCTest

/// Operating the CTS collector through the built binary: every Monitoring figure of the spec in
/// the Prometheus exposition, progress lines off a terminal, and `scraper serve` collecting on a
/// schedule against the simulator.
final class OpsCTSEndToEndTests: XCTestCase {
    var sim: MisoSimulatorProcess!
    var scraper: ScraperInvocation!

    override func setUpWithError() throws {
        sim = try MisoSimulatorProcess(arguments: ["--today", "2025-01-20", "--nodes", "2"])
        scraper = ScraperInvocation()
    }

    override func tearDown() {
        sim?.stop()
    }

    func metricLines(_ text: String, _ name: String) -> [String] {
        text.split(separator: "\n").map(String.init).filter { $0.hasPrefix(name) }
    }

    func testMetricsFileCarriesEveryMonitoringFigure() async throws {
        try sim.setFault("bad-arithmetic", count: 1)
        let metrics = scraper.directory.appendingPathComponent("run.prom").path
        let first = try scraper.run(["run", "miso-cts", "--start-date", "2025-01-18", "--end-date", "2025-01-20",
                                     "--concurrency", "1", "--api-url", sim.url(MisoSimulatorProcess.ctsPath), "--rate-limit", "0",
                                     "--metrics-file", metrics, "--log-format", "json"])
        XCTAssertEqual(first.status, 1, first.transcript)
        XCTAssertEqual(first.count("collected"), 2, first.transcript)
        let text = try String(contentsOfFile: metrics, encoding: .utf8)
        let labels = #"collector="miso-cts",environment="dev""#
        func value(_ line: String?) -> Double? { line.flatMap { $0.split(separator: " ").last.flatMap { Double($0) } } }
        XCTAssertEqual(value(metricLines(text, "scraper_candidates_total").first { $0.contains("outcome=\"collected\"") && $0.contains(labels) }), 2, text)
        XCTAssertEqual(value(metricLines(text, "scraper_candidates_total").first { $0.contains("outcome=\"failed\"") }), 1, text)
        XCTAssertEqual(value(metricLines(text, "scraper_validation_failures_total").first { $0.contains("rule=\"lmp_arithmetic\"") }), 1, text)
        XCTAssertFalse(metricLines(text, "scraper_api_response_seconds_bucket").isEmpty, text)
        XCTAssertFalse(metricLines(text, "scraper_store_upload_seconds_bucket").isEmpty, text)
        XCTAssertGreaterThan(value(metricLines(text, "scraper_bytes_fetched_total").first) ?? 0, 1000, text)
        XCTAssertGreaterThan(value(metricLines(text, "scraper_bytes_stored_total").first) ?? 0, 100, text)
        XCTAssertEqual(value(metricLines(text, "scraper_records_per_snapshot_count").first), 2, "two valid snapshots: \(text)")
        XCTAssertEqual(value(metricLines(text, "scraper_records_per_snapshot_sum").first), 2 * 2 * 288, "2 nodes x 288 intervals each: \(text)")
        // The simulator's --today (2025-01-20) is a FORECAST; the 19th is VALIDATED; the 18th was refused.
        XCTAssertEqual(value(metricLines(text, "scraper_snapshots_by_quality_total").first { $0.contains("quality=\"VALIDATED\"") }), 1, text)
        XCTAssertEqual(value(metricLines(text, "scraper_snapshots_by_quality_total").first { $0.contains("quality=\"FORECAST\"") }), 1, text)
        let lastSuccess = try XCTUnwrap(value(metricLines(text, "scraper_last_success_timestamp_seconds").first), text)
        XCTAssertEqual(lastSuccess, Date().timeIntervalSince1970, accuracy: 300)

        // Retries and duplicates show up too.
        try sim.setFault("http-503", count: 1)
        try scraper.writeConfig("defaults:\n  retry: {max_attempts: 3, base_delay: 0.05, max_delay: 0.1}\ncollectors:\n  miso-cts: {type: miso.cts}\n")
        let second = try scraper.run(["run", "miso-cts", "--date", "2025-01-19", "--api-url", sim.url(MisoSimulatorProcess.ctsPath),
                                      "--rate-limit", "0", "--metrics-file", metrics])
        XCTAssertEqual(second.status, 0, second.transcript)
        let again = try String(contentsOfFile: metrics, encoding: .utf8)
        XCTAssertEqual(value(metricLines(again, "scraper_http_retries_total").first), 1, again)
        XCTAssertEqual(value(metricLines(again, "scraper_candidates_total").first { $0.contains("outcome=\"skipped_duplicate\"") }), 1, again)
    }

    func testBackfillOffATerminalLogsProgressLines() async throws {
        let result = try scraper.run(["run", "miso-cts", "--start-date", "2025-01-01", "--end-date", "2025-01-03",
                                      "--api-url", sim.url(MisoSimulatorProcess.ctsPath), "--rate-limit", "0", "--log-format", "json"])
        XCTAssertEqual(result.status, 0, result.transcript)
        let progress = result.stderr.split(separator: "\n").filter { $0.contains("progress") }
        XCTAssertFalse(progress.isEmpty, result.stderr)
        XCTAssertTrue(progress.last?.contains("3/3") == true, "\(progress)")
        XCTAssertFalse(result.stderr.contains("\u{1B}["), "no terminal control codes off a terminal")
    }

    func testServeCollectsOnItsScheduleAndExposesMetrics() async throws {
        try scraper.writeConfig("""
        defaults:
          storage: {type: local, path: \(scraper.directory.path)/data}
          registry: {type: embedded, path: \(scraper.directory.path)/data/registry.sqlite3}
        serve:
          jitter_seconds: 0
        collectors:
          miso-cts:
            type: miso.cts
            schedule: "* * * * *"
            api_url: \(sim.url(MisoSimulatorProcess.ctsPath))
        """)
        let serve = try ServeProcess(["--time-scale", "30", "--log-format", "json"], environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"],
                                     directory: scraper.directory)
        defer { serve.child.stop() }
        let deadline = Date().addingTimeInterval(30)
        var metrics = ""
        while Date() < deadline {
            metrics = try serve.get("/metrics").body
            if metrics.contains("scraper_candidates_total{") { break }
            usleep(200_000)
        }
        XCTAssertTrue(metrics.contains("collector=\"miso-cts\""), metrics)
        XCTAssertFalse(scraper.store.keys(under: "sourcing/miso_coordinated_transaction_scheduling").isEmpty, "the scheduled run stored a snapshot")
        XCTAssertEqual(try serve.get("/healthz").status, 200)
        XCTAssertEqual(try serve.get("/readyz").status, 200)
        serve.child.send(SIGTERM)
        XCTAssertEqual(serve.child.wait(timeout: 60), 0, serve.child.stderr)
    }
}
