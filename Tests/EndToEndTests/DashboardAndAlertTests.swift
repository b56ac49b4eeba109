import CollectionFramework
import Foundation
import TestSupport
import XCTest

/// deploy/grafana and deploy/prometheus (issue 14): the alert rules pass `promtool check rules` and their
/// unit tests (`promtool test rules`), and every metric the dashboard queries is really exported by the built
/// binary. promtool comes from Debian's `prometheus` package (scripts/install-deps.sh); without it these
/// tests fail rather than skip, so CI cannot pass with the rules unchecked.
final class DashboardAndAlertTests: XCTestCase {
    let deploy = TestPaths.packageRoot.appendingPathComponent("deploy")

    private func promtool() throws -> String {
        guard let path = TestPaths.which("promtool") else {
            XCTFail("promtool is not on PATH: install Debian's prometheus package (scripts/install-deps.sh)")
            throw PromtoolMissing()
        }
        return path
    }

    private struct PromtoolMissing: Error {}

    func testAlertRulesPassPromtoolCheck() throws {
        let rules = deploy.appendingPathComponent("prometheus/alerts.yml").path
        let result = try runCommand(try promtool(), ["check", "rules", rules], timeout: 60)
        XCTAssertEqual(result.status, 0, "promtool check rules: \(result.stdout)\(result.stderr)")
        XCTAssertTrue(result.stdout.contains("SUCCESS"), result.stdout)
    }

    func testAlertRulesPassTheirPromtoolUnitTests() throws {
        let tests = deploy.appendingPathComponent("prometheus/alerts.test.yml").path
        let result = try runCommand(try promtool(), ["test", "rules", tests],
                                    currentDirectory: deploy.appendingPathComponent("prometheus"), timeout: 60)
        XCTAssertEqual(result.status, 0, "promtool test rules: \(result.stdout)\(result.stderr)")
        XCTAssertTrue(result.stdout.contains("SUCCESS"), result.stdout)
    }

    // MARK: The dashboard's metrics are exported

    /// Every `scraper_…` metric name in the `expr` of every panel target (rows' nested panels included).
    static func dashboardMetricNames(_ json: Any) -> Set<String> {
        var exprs: [String] = []
        func visitPanels(_ panels: [[String: Any]]) {
            for panel in panels {
                for target in panel["targets"] as? [[String: Any]] ?? [] {
                    if let expr = target["expr"] as? String { exprs.append(expr) }
                }
                visitPanels(panel["panels"] as? [[String: Any]] ?? [])
            }
        }
        visitPanels((json as? [String: Any])?["panels"] as? [[String: Any]] ?? [])
        return Set(exprs.flatMap(metricNames(in:)))
    }

    /// Identifiers of a PromQL expression that are our metrics (every one starts with `scraper_`). Label
    /// values inside quotes are skipped.
    static func metricNames(in expr: String) -> [String] {
        var names: [String] = []
        var current = ""
        var quote: Character?
        func flush() {
            if current.hasPrefix("scraper_") { names.append(current) }
            current = ""
        }
        for c in expr {
            if let q = quote {
                if c == q { quote = nil }
                continue
            }
            if c == "\"" || c == "'" || c == "`" { flush(); quote = c; continue }
            if c.isLetter || c.isNumber || c == "_" || c == ":" { current.append(c) } else { flush() }
        }
        flush()
        return names
    }

    /// The metric names of the samples in a Prometheus text exposition.
    static func exportedNames(_ text: String) -> Set<String> {
        Set(text.split(separator: "\n").compactMap { line -> String? in
            guard !line.hasPrefix("#"), let end = line.firstIndex(where: { $0 == "{" || $0 == " " }) else { return nil }
            return String(line[..<end])
        })
    }

    /// A dashboard name is exported as itself or, for a histogram or summary, through its series' suffixes.
    static func isExported(_ name: String, in exported: Set<String>) -> Bool {
        ([""] + ["_bucket", "_sum", "_count"]).contains { exported.contains(name + $0) }
    }

    func testMetricNameExtraction() {
        XCTAssertEqual(Self.metricNames(in: #"histogram_quantile(0.9, sum by (le) (rate(scraper_api_response_seconds_bucket{collector=~"scraper_x"}[5m])))"#),
                       ["scraper_api_response_seconds_bucket"])
        XCTAssertEqual(Self.metricNames(in: "time() - max by (collector) (scraper_last_success_timestamp_seconds)"),
                       ["scraper_last_success_timestamp_seconds"])
        XCTAssertTrue(Self.isExported("scraper_h", in: ["scraper_h_bucket"]))
        XCTAssertFalse(Self.isExported("scraper_h", in: ["scraper_hx"]))
    }

    func testEveryMetricTheDashboardQueriesIsExported() async throws {
        let data = try Data(contentsOf: deploy.appendingPathComponent("grafana/scraper.json"))
        let dashboard = try JSONSerialization.jsonObject(with: data)
        let object = try XCTUnwrap(dashboard as? [String: Any])
        XCTAssertGreaterThanOrEqual(object["schemaVersion"] as? Int ?? 0, 36, "the current Grafana JSON model")
        let variables = ((object["templating"] as? [String: Any])?["list"] as? [[String: Any]]) ?? []
        XCTAssertTrue(variables.contains { $0["type"] as? String == "datasource" && $0["query"] as? String == "prometheus" },
                      "a Prometheus datasource variable")
        let referenced = Self.dashboardMetricNames(dashboard)
        XCTAssertGreaterThanOrEqual(referenced.count, 7, "the dashboard's queries: \(referenced.sorted())")

        // A real collection against the simulator: one validation failure (bad arithmetic on the first day),
        // two stored days, and Kafka down so that both announcements fail.
        let sim = try MisoSimulatorProcess(arguments: ["--today", "2025-01-20", "--nodes", "2"])
        defer { sim.stop() }
        let kafka = try KafkaMockCluster(brokers: 1)
        defer { kafka.stop() }
        try kafka.createTopic("scraper-notifications")
        try kafka.takeDown()
        let scraper = ScraperInvocation()
        defer { try? FileManager.default.removeItem(at: scraper.directory) }
        try scraper.writeConfig("""
        defaults:
          notifications: {delivery_timeout: 2}
        collectors:
          miso-cts: {type: miso.cts}
        """)
        try sim.setFault("bad-arithmetic", count: 1)
        let metricsFile = scraper.directory.appendingPathComponent("run.prom").path
        let run = try scraper.run(["run", "miso-cts", "--start-date", "2025-01-18", "--end-date", "2025-01-20", "--concurrency", "1",
                                   "--api-url", sim.url(MisoSimulatorProcess.ctsPath), "--rate-limit", "0", "--log-format", "json",
                                   "--kafka-connection-string", kafka.bootstrapServers, "--metrics-file", metricsFile])
        XCTAssertEqual(run.count("collected"), 2, run.transcript)
        XCTAssertEqual(run.count("notification_failures"), 2, run.transcript)
        var exported = Self.exportedNames(try String(contentsOfFile: metricsFile, encoding: .utf8))

        // The daemon's own figures (scraper_next_run_timestamp_seconds, …) exist only in `scraper serve`:
        // scrape a short serve run for whatever the run's file did not have.
        var missing = referenced.filter { !Self.isExported($0, in: exported) }
        if !missing.isEmpty {
            try scraper.writeConfig("""
            defaults:
              storage: {type: local, path: \(scraper.directory.path)/data}
              registry: {type: embedded, path: \(scraper.directory.path)/data/registry.sqlite3}
            serve: {jitter_seconds: 0}
            collectors:
              miso-cts:
                type: miso.cts
                schedule: "* * * * *"
                api_url: \(sim.url(MisoSimulatorProcess.ctsPath))
                http: {rate_limit_per_minute: 0}
            """)
            let serve = try ServeProcess(["--time-scale", "60", "--log-format", "json"],
                                         environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"],
                                         directory: scraper.directory)
            defer { serve.child.stop() }
            let deadline = Date().addingTimeInterval(30)
            repeat {
                exported.formUnion(Self.exportedNames(try serve.get("/metrics").body))
                missing = referenced.filter { !Self.isExported($0, in: exported) }
                if missing.isEmpty { break }
                usleep(200_000)
            } while Date() < deadline
            serve.child.send(SIGTERM)
            XCTAssertEqual(serve.child.wait(timeout: 60), 0, serve.child.stderr)
        }
        XCTAssertEqual(missing.sorted(), [], "dashboard metrics no run or serve exports; exported: \(exported.sorted())")
    }
}
