import CollectionFramework
import Foundation
import TestSupport
import XCTest

/// `scraper serve` collecting for real through the built binary: the flags that override collectors.yaml
/// (`--jitter-seconds`, `--state-file`, `--api-url`), `/readyz` while draining, every metric the README lists,
/// and one run on the real clock at normal speed (no hidden `--time-scale`).
final class ServeOperationsTests: XCTestCase {
    var sim: MisoSimulatorProcess!
    var dir: URL!
    let group = "miso_coordinated_transaction_scheduling"

    override func setUpWithError() throws {
        sim = try MisoSimulatorProcess(arguments: ["--today", "2025-01-20", "--nodes", "2"])
        dir = TestPaths.temporaryDirectory("serve-ops")
    }

    override func tearDown() {
        sim?.stop()
        if let dir { try? FileManager.default.removeItem(at: dir) }
    }

    /// collectors.yaml with one CTS collector on `schedule`; `serve` and `collector` lines are added verbatim.
    private func writeConfig(schedule: String = "* * * * *", apiURL: String? = nil, serve: String = "jitter_seconds: 0",
                             retry: String = "{max_attempts: 3, base_delay: 0.05, max_delay: 0.1}") throws -> String {
        let path = dir.appendingPathComponent("collectors.yaml").path
        try Data("""
        defaults:
          storage: {type: local, path: \(dir.path)/data}
          registry: {type: embedded, path: \(dir.path)/data/registry.sqlite3}
          retry: \(retry)
        serve: {\(serve)}
        collectors:
          miso-cts:
            type: miso.cts
            schedule: "\(schedule)"
            api_url: \(apiURL ?? sim.url(MisoSimulatorProcess.ctsPath))
            http: {rate_limit_per_minute: 0}
        """.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    private func start(_ arguments: [String]) throws -> ServeProcess {
        try ServeProcess(arguments + ["--log-format", "json"], environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"],
                         directory: dir)
    }

    private func storedKeys() -> [String] {
        LocalObjectStore(root: dir.appendingPathComponent("data")).keys(under: "sourcing/\(group)")
    }

    /// The samples of one metric family from `/metrics`: label text (`{…}` or "") → value.
    private func samples(_ text: String, _ name: String) -> [(labels: String, value: Double)] {
        text.split(separator: "\n").compactMap { line -> (String, Double)? in
            guard line.hasPrefix(name), !line.hasPrefix("#") else { return nil }
            let rest = line.dropFirst(name.count)
            guard rest.first == "{" || rest.first == " " else { return nil }
            guard let space = rest.lastIndex(of: " "), let value = Double(rest[rest.index(after: space)...]) else { return nil }
            return (String(rest[..<space]), value)
        }
    }

    private func value(_ text: String, _ name: String, where filter: (String) -> Bool = { _ in true }) -> Double? {
        samples(text, name).first { filter($0.labels) }?.value
    }

    private func waitForMetrics(_ serve: ServeProcess, seconds: Double, _ condition: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var text = ""
        while Date() < deadline {
            text = try serve.get("/metrics").body
            if condition(text) { return text }
            usleep(100_000)
        }
        return text
    }

    func testJitterStateFileAndAPIURLFlagsOverrideCollectorsYaml() throws {
        // The file points at a dead address, keeps state elsewhere and jitters up to an hour (a real minute at 60×).
        let dead = "http://127.0.0.1:\(Loopback.freePort())/api/CoordinatedTransactionScheduling"
        let fileState = dir.appendingPathComponent("file-state.json").path
        let flagState = dir.appendingPathComponent("flag-state.json").path
        let config = try writeConfig(apiURL: dead, serve: "jitter_seconds: 3600, state_path: \(fileState)")
        let serve = try start(["--config", config, "--time-scale", "60", "--jitter-seconds", "0", "--state-file", flagState,
                               "--api-url", sim.url(MisoSimulatorProcess.ctsPath)])
        defer { serve.child.stop() }
        // Slots every real second: with the file's hour of jitter (0-60 real seconds each) four runs in 30 s are
        // out of reach; with --jitter-seconds 0 they take about four seconds.
        let metrics = try waitForMetrics(serve, seconds: 30) {
            (self.value($0, "scraper_scheduled_runs_total", where: { $0.contains("result=\"success\"") }) ?? 0) >= 4
        }
        XCTAssertGreaterThanOrEqual(value(metrics, "scraper_scheduled_runs_total", where: { $0.contains("result=\"success\"") }) ?? 0, 4,
                                    "--jitter-seconds 0 replaced the file's 3600: \(metrics)\n\(serve.child.stderr)")
        XCTAssertEqual(storedKeys().count, 1, "--api-url replaced the file's dead address: \(serve.child.stderr)")
        XCTAssertGreaterThan(try sim.stats().requests, 0)
        serve.child.send(SIGTERM)
        XCTAssertEqual(serve.child.wait(timeout: 60), 0, serve.child.stderr)
        let state = try String(contentsOfFile: flagState, encoding: .utf8)
        XCTAssertTrue(state.contains("\"miso-cts\": {\"last_started\": \""), state)
        XCTAssertFalse(FileManager.default.fileExists(atPath: fileState), "--state-file replaced serve.state_path")
        XCTAssertTrue(serve.child.stderr.contains("state file \(flagState)"), serve.child.stderr)
    }

    func testReadyzAnswers503WhileDrainingThenTheRunFinishesAndTheProcessExitsZero() throws {
        try sim.configure([("latency_ms", "3000")])
        let serve = try start(["--config", try writeConfig(), "--time-scale", "60"])
        defer { serve.child.stop() }
        XCTAssertEqual(try serve.get("/readyz").status, 200)
        // Wait until the first run's request is at the simulator (counted on arrival, answered 3 s later).
        let deadline = Date().addingTimeInterval(30)
        while try sim.stats().requests == 0, Date() < deadline { usleep(50_000) }
        XCTAssertEqual(try sim.stats().requests, 1, "one request in flight")
        serve.child.send(SIGTERM)
        var draining: (status: Int, body: String, contentType: String?)?
        let until = Date().addingTimeInterval(10)
        while Date() < until {
            let ready = try serve.get("/readyz")
            if ready.status == 503 { draining = ready; break }
            usleep(20_000)
        }
        let answer = try XCTUnwrap(draining, "/readyz never answered 503 after SIGTERM")
        XCTAssertTrue(answer.body.hasPrefix("not ready\n"), answer.body)
        XCTAssertTrue(answer.body.contains("draining: stopping after the runs in progress"), answer.body)
        XCTAssertEqual(try serve.get("/healthz").status, 200, "alive while draining")
        XCTAssertEqual(serve.child.wait(timeout: 60), 0, serve.child.stderr)
        XCTAssertEqual(storedKeys().count, 1, "the run in progress finished and stored its snapshot")
        XCTAssertEqual(try sim.stats().requests, 1, "no run started after SIGTERM")
    }

    func testEveryMetricTheREADMEListsAppearsWithAPlausibleValue() throws {
        try sim.setFault("http-503", count: 1)   // the first run retries once
        let started = Date().timeIntervalSince1970
        let serve = try start(["--config", try writeConfig(), "--time-scale", "60"])
        defer { serve.child.stop() }
        let labels = #"collector="miso-cts",environment="dev""#
        func collected(_ text: String) -> Double { value(text, "scraper_candidates_total", where: { $0.contains("outcome=\"collected\"") }) ?? 0 }
        func outcome(_ text: String, _ name: String) -> Double { value(text, "scraper_candidates_total", where: { $0.contains("outcome=\"\(name)\"") }) ?? 0 }
        _ = try waitForMetrics(serve, seconds: 30) { collected($0) >= 1 }
        try sim.setFault("bad-arithmetic", count: 1)   // one later run is refused by validation
        let text = try waitForMetrics(serve, seconds: 30) { outcome($0, "failed") >= 1 && outcome($0, "skipped_duplicate") >= 1 }
        let context = "\(text)\n\(serve.child.stderr.suffix(3000))"

        XCTAssertEqual(outcome(text, "collected"), 1, context)
        XCTAssertGreaterThanOrEqual(outcome(text, "skipped_duplicate"), 1, context)
        XCTAssertEqual(outcome(text, "failed"), 1, context)
        XCTAssertTrue(samples(text, "scraper_candidates_total").allSatisfy { $0.labels.contains(labels) }, context)
        XCTAssertEqual(value(text, "scraper_validation_failures_total", where: { $0.contains("rule=\"lmp_arithmetic\"") }), 1, context)
        for histogram in ["scraper_api_response_seconds", "scraper_store_upload_seconds"] {
            let count = try XCTUnwrap(value(text, histogram + "_count"), "\(histogram): \(context)")
            let sum = try XCTUnwrap(value(text, histogram + "_sum"), context)
            XCTAssertGreaterThanOrEqual(count, 1, histogram)
            XCTAssertGreaterThan(sum, 0, histogram)
            XCTAssertLessThan(sum / count, 30, "\(histogram): a plausible mean in seconds")
            XCTAssertFalse(samples(text, histogram + "_bucket").isEmpty, histogram)
        }
        XCTAssertGreaterThanOrEqual(value(text, "scraper_api_response_seconds_count") ?? 0, 3, "one response per run, at least three runs")
        let fetched = try XCTUnwrap(value(text, "scraper_bytes_fetched_total"), context)
        let stored = try XCTUnwrap(value(text, "scraper_bytes_stored_total"), context)
        XCTAssertGreaterThan(fetched, 10_000, "three CTS days of 2 nodes × 288 intervals")
        XCTAssertGreaterThan(stored, 100)
        XCTAssertLessThan(stored, fetched, "gzip shrinks what was fetched")
        let records = try XCTUnwrap(value(text, "scraper_records_per_snapshot_sum"), context)
        let snapshots = try XCTUnwrap(value(text, "scraper_records_per_snapshot_count"), context)
        XCTAssertEqual(records / snapshots, 2 * 288, "2 nodes × 288 intervals per valid snapshot")
        XCTAssertGreaterThanOrEqual(value(text, "scraper_snapshots_by_quality_total", where: { $0.contains("quality=\"FORECAST\"") }) ?? 0, 1,
                                    "--today's day is a forecast: \(context)")
        XCTAssertEqual(value(text, "scraper_http_retries_total"), 1, "the one 503: \(context)")
        XCTAssertEqual(value(text, "scraper_notification_failures_total") ?? 0, 0, context)
        let lastSuccess = try XCTUnwrap(value(text, "scraper_last_success_timestamp_seconds"), context)
        XCTAssertEqual(lastSuccess, Date().timeIntervalSince1970, accuracy: 300)
        XCTAssertGreaterThanOrEqual(value(text, "scraper_scheduled_runs_total", where: { $0.contains("result=\"success\"") && $0.contains("trigger=\"schedule\"") }) ?? 0, 2, context)
        XCTAssertGreaterThanOrEqual(value(text, "scraper_scheduled_runs_total", where: { $0.contains("result=\"failure\"") }) ?? 0, 1, context)
        let inProgress = try XCTUnwrap(value(text, "scraper_run_in_progress"), context)
        XCTAssertTrue(inProgress == 0 || inProgress == 1, "a 0/1 gauge: \(inProgress)")
        let nextRun = try XCTUnwrap(value(text, "scraper_next_run_timestamp_seconds"), context)
        XCTAssertEqual(nextRun.truncatingRemainder(dividingBy: 60), 0, "`* * * * *` slots are whole minutes")
        XCTAssertGreaterThan(nextRun, started, "the next slot is after the start")
        let duration = try XCTUnwrap(value(text, "scraper_last_run_duration_seconds"), context)
        XCTAssertGreaterThanOrEqual(duration, 0)
        XCTAssertLessThan(duration, 60 * 60, "scaled seconds of one short run")
        XCTAssertEqual(value(text, "scraper_daemon_scheduled_collectors"), 1, context)
        XCTAssertEqual(try XCTUnwrap(value(text, "scraper_daemon_start_timestamp_seconds")), started, accuracy: 60)
        serve.child.send(SIGTERM)
        XCTAssertEqual(serve.child.wait(timeout: 60), 0, serve.child.stderr)
    }

    func testCollectsOnTheRealClockAtItsSlot() throws {
        // Normal speed, no --time-scale: the next `* * * * *` slot is at most a minute away.
        let statePath = dir.appendingPathComponent("state.json").path
        let serve = try start(["--config", try writeConfig(), "--state-file", statePath])
        defer { serve.child.stop() }
        let first = try serve.get("/metrics").body
        let nextRun = try XCTUnwrap(value(first, "scraper_next_run_timestamp_seconds"), first)
        let now = Date().timeIntervalSince1970
        XCTAssertEqual(nextRun.truncatingRemainder(dividingBy: 60), 0, "a whole minute of real time")
        XCTAssertGreaterThan(nextRun, now - 1)
        XCTAssertLessThanOrEqual(nextRun, now + 60, "the next real minute")
        XCTAssertEqual(try sim.stats().requests, 0, "nothing before the slot")
        let deadline = Date().addingTimeInterval(90)   // hang guard: the slot is at most 60 s away
        while storedKeys().isEmpty, Date() < deadline, serve.child.isRunning { usleep(200_000) }
        XCTAssertEqual(storedKeys().count, 1, serve.child.stderr)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince1970, nextRun, "the run waited for its slot")
        serve.child.send(SIGTERM)
        XCTAssertEqual(serve.child.wait(timeout: 60), 0, serve.child.stderr)
        let state = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: statePath))) as? [String: Any])
        let entry = try XCTUnwrap((state["collectors"] as? [String: Any])?["miso-cts"] as? [String: Any], "\(state)")
        let startedText = try XCTUnwrap(entry["last_started"] as? String)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let startedAt = try XCTUnwrap(formatter.date(from: startedText) ?? ISO8601DateFormatter().date(from: startedText), startedText)
        XCTAssertGreaterThanOrEqual(startedAt.timeIntervalSince1970, nextRun - 0.001, "started at (not before) the slot: \(startedText)")
        XCTAssertLessThan(startedAt.timeIntervalSince1970 - nextRun, 10, "started at its slot, not a scaled or jittered time: \(startedText)")
    }
}
