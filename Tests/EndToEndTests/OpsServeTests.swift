import CollectionFramework
import Foundation
import TestSupport
import XCTest

/// A running `scraper serve` (the built product), started with `--port 0` and found by its
/// `scraper serve listening on http://HOST:PORT` line.
final class ServeProcess {
    let child: ChildProcess
    let port: Int
    private let client = CurlHTTPClient()

    init(_ arguments: [String], environment: [String: String]? = nil, directory: URL) throws {
        child = try ChildProcess(TestPaths.product("scraper"), ["serve", "--port", "0"] + arguments,
                                 environment: environment, currentDirectory: directory)
        let deadline = Date().addingTimeInterval(30)
        let prefix = "scraper serve listening on http://127.0.0.1:"
        var found: Int?
        while found == nil && Date() < deadline && child.isRunning {
            found = child.stdout.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { Int($0.dropFirst(prefix.count)) }
            if found == nil { usleep(20_000) }
        }
        guard let found, Loopback.waitUntilListening(found, timeout: 10) else {
            child.stop()
            throw ServeStartFailure("scraper serve did not start: status \(child.isRunning ? "running" : String(child.process.terminationStatus)); stderr: \(child.stderr)")
        }
        port = found
    }

    func get(_ path: String, method: String = "GET") throws -> (status: Int, body: String, contentType: String?) {
        let r = try client.sendBlocking(HTTPRequest(method: method, url: "http://127.0.0.1:\(port)\(path)", timeout: 10))
        return (r.status, String(decoding: r.body, as: UTF8.self), r.headers["content-type"])
    }
}

/// The daemon did not come up (a test failure, never a skip).
struct ServeStartFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// `scraper serve` through the built binary: endpoints, readiness, signals, exports and startup errors.
/// (The CTS collector is not in this build; runs of real collectors are covered by CronSchedulerTests.)
final class OpsServeTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = TestPaths.temporaryDirectory("ops-serve")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: dir)
    }

    private func writeConfig(_ text: String) throws -> String {
        let path = dir.appendingPathComponent("collectors.yaml").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    private var emptyConfig: String {
        """
        defaults:
          storage: {type: local, path: \(dir.path)/data}
          registry: {type: embedded, path: \(dir.path)/data/registry.sqlite3}
        serve:
          jitter_seconds: 0
        collectors: {}
        """
    }

    func testServesHealthReadinessAndMetricsThenDrainsOnSIGTERMWithExitZero() async throws {
        let config = try writeConfig(emptyConfig)
        let metricsFile = dir.appendingPathComponent("serve.prom").path
        let serve = try ServeProcess(["--config", config, "--log-format", "json", "--metrics-file", metricsFile], directory: dir)
        defer { serve.child.stop() }

        let health = try serve.get("/healthz")
        XCTAssertEqual(health.status, 200)
        XCTAssertEqual(health.body, "ok\n")
        let ready = try serve.get("/readyz")
        XCTAssertEqual(ready.status, 200, ready.body)
        XCTAssertTrue(ready.body.hasPrefix("ready\n"), ready.body)
        XCTAssertTrue(ready.body.contains("registry embedded registry"), ready.body)
        let metrics = try serve.get("/metrics")
        XCTAssertEqual(metrics.status, 200)
        XCTAssertEqual(metrics.contentType, "text/plain; version=0.0.4; charset=utf-8")
        XCTAssertTrue(metrics.body.contains("# TYPE scraper_daemon_scheduled_collectors gauge"), metrics.body)
        XCTAssertTrue(metrics.body.contains("scraper_daemon_scheduled_collectors{environment=\"dev\"} 0"), metrics.body)
        let started = try XCTUnwrap(metrics.body.split(separator: "\n").first { $0.hasPrefix("scraper_daemon_start_timestamp_seconds{environment=\"dev\"} ") })
        let startTime = try XCTUnwrap(Double(started.split(separator: " ").last!))
        XCTAssertEqual(startTime, Date().timeIntervalSince1970, accuracy: 120)
        XCTAssertEqual(try serve.get("/nope").status, 404)
        XCTAssertEqual(try serve.get("/healthz", method: "DELETE").status, 405)
        XCTAssertTrue(serve.child.stderr.contains("\"level\": \"warning\""), "no collectors is warned about: \(serve.child.stderr)")
        XCTAssertTrue(serve.child.stderr.contains("serving /metrics, /healthz and /readyz only"), serve.child.stderr)

        serve.child.send(SIGTERM)
        XCTAssertEqual(serve.child.wait(timeout: 20), 0, serve.child.stderr)
        XCTAssertFalse(Loopback.isListening(serve.port))
        XCTAssertTrue(serve.child.stderr.contains("received SIGTERM"), serve.child.stderr)
        let exported = try String(contentsOfFile: metricsFile, encoding: .utf8)
        XCTAssertTrue(exported.contains("scraper_daemon_scheduled_collectors{environment=\"dev\"} 0"), "metrics file written at exit: \(exported)")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".tmp") }, [], "no temporary file left")
    }

    func testSIGINTAlsoStopsCleanly() async throws {
        let serve = try ServeProcess(["--config", try writeConfig(emptyConfig)], directory: dir)
        defer { serve.child.stop() }
        serve.child.send(SIGINT)
        XCTAssertEqual(serve.child.wait(timeout: 20), 0, serve.child.stderr)
        XCTAssertTrue(serve.child.stderr.contains("received SIGINT"), serve.child.stderr)
    }

    func testReadinessFailsWhileTheStoreIsUnreachableAndRecovers() async throws {
        let serve = try ServeProcess(["--config", try writeConfig(emptyConfig)], directory: dir)
        defer { serve.child.stop() }
        XCTAssertEqual(try serve.get("/readyz").status, 200)
        // Turn the store's folder into a plain file: it can no longer be created or written.
        let store = dir.appendingPathComponent("data")
        let moved = dir.appendingPathComponent("data.moved")
        try FileManager.default.moveItem(at: store, to: moved)
        try Data("not a folder".utf8).write(to: store)
        let broken = try serve.get("/readyz")
        XCTAssertEqual(broken.status, 503, broken.body)
        XCTAssertTrue(broken.body.hasPrefix("not ready\n"), broken.body)
        XCTAssertTrue(broken.body.contains("store local directory"), broken.body)
        XCTAssertTrue(broken.body.contains("unreachable"), broken.body)
        XCTAssertEqual(try serve.get("/healthz").status, 200, "alive even when not ready")
        try FileManager.default.removeItem(at: store)
        try FileManager.default.moveItem(at: moved, to: store)
        XCTAssertEqual(try serve.get("/readyz").status, 200)
    }

    func testAConfiguredCollectorTypeMissingFromTheBuildIsAClearErrorBeforeListening() async throws {
        let config = try writeConfig(emptyConfig.replacingOccurrences(of: "collectors: {}", with: """
        collectors:
          miso-future:
            type: miso.not_built_yet
            schedule: "*/15 * * * *"
        """))
        let port = Loopback.freePort()
        let result = try runCommand(TestPaths.product("scraper"), ["serve", "--config", config, "--port", String(port)],
                                    currentDirectory: dir, timeout: 60)
        XCTAssertEqual(result.status, 64, result.stderr)
        XCTAssertTrue(result.stderr.contains("collectors.yaml:8:11: collectors.miso-future.type \"miso.not_built_yet\" is not a registered collector type"), result.stderr)
        XCTAssertEqual(result.stdout, "", "never listened")
    }

    func testAPortInUseIsAClearError() async throws {
        let first = try ServeProcess(["--config", try writeConfig(emptyConfig)], directory: dir)
        defer { first.child.stop() }
        let result = try runCommand(TestPaths.product("scraper"), ["serve", "--config", try writeConfig(emptyConfig), "--port", String(first.port)],
                                    currentDirectory: dir, timeout: 60)
        XCTAssertEqual(result.status, 69, result.stderr)
        XCTAssertTrue(result.stderr.contains("cannot listen on 127.0.0.1:\(first.port)"), result.stderr)
        XCTAssertTrue(result.stderr.contains("--port or serve.port"), result.stderr)
    }

    func testRefusesANonIPv4HostAndABadPort() async throws {
        let host = try runCommand(TestPaths.product("scraper"), ["serve", "--host", "localhost"], currentDirectory: dir, timeout: 60)
        XCTAssertEqual(host.status, 64, host.stderr)
        XCTAssertTrue(host.stderr.contains("--host must be a dotted IPv4 address"), host.stderr)
        let port = try runCommand(TestPaths.product("scraper"), ["serve", "--port", "70000"], currentDirectory: dir, timeout: 60)
        XCTAssertEqual(port.status, 64, port.stderr)
    }

    func testPushesTheExpositionToARealPushgateway() async throws {
        guard let gateway = TestPaths.which("prometheus-pushgateway") else {
            throw XCTSkip("prometheus-pushgateway is not installed: run scripts/install-deps.sh")
        }
        let gatewayPort = Loopback.freePort()
        let pushgateway = try ChildProcess(gateway, ["--web.listen-address=127.0.0.1:\(gatewayPort)"])
        defer { pushgateway.stop() }
        XCTAssertTrue(Loopback.waitUntilListening(gatewayPort, timeout: 20), pushgateway.stderr)

        let serve = try ServeProcess(["--config", try writeConfig(emptyConfig), "--environment", "staging",
                                      "--pushgateway", "http://127.0.0.1:\(gatewayPort)"], directory: dir)
        serve.child.send(SIGTERM)
        XCTAssertEqual(serve.child.wait(timeout: 20), 0, serve.child.stderr)
        XCTAssertFalse(serve.child.stderr.contains("metrics push failed"), serve.child.stderr)

        let scraped = try await CurlHTTPClient().send(HTTPRequest(url: "http://127.0.0.1:\(gatewayPort)/metrics", timeout: 10))
        let text = String(decoding: scraped.body, as: UTF8.self)
        let line = text.split(separator: "\n").first { $0.hasPrefix("scraper_daemon_scheduled_collectors{") }
        XCTAssertNotNil(line, text)
        XCTAssertTrue(line?.contains("job=\"scraper\"") == true, String(line ?? ""))
        XCTAssertTrue(line?.contains("environment=\"staging\"") == true, String(line ?? ""))
        XCTAssertTrue(text.contains("push_time_seconds{environment=\"staging\",instance=\"\",job=\"scraper\"}"), text)
    }
}
