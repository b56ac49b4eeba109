import CollectionFramework
import Foundation
import TestSupport
import XCTest

/// Commands and modes of the built `scraper` that had no test of their own: `bench` (a small run whose
/// table is read row by row), the live progress line under a pseudo-terminal, and `run --all --environment
/// prod` with the production backends of collectors.yaml's `prod` section.
final class CommandCoverageTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = TestPaths.temporaryDirectory("commands")
    }

    override func tearDown() {
        if let dir { try? FileManager.default.removeItem(at: dir) }
    }

    // MARK: bench

    func testBenchPrintsEveryRowWithNumericFigures() throws {
        let result = try runCommand(TestPaths.product("scraper"),
                                    ["bench", "--nodes", "5", "--intervals", "12", "--repetitions", "1", "--backfill-days", "2",
                                     "--latency-ms", "20", "--simulator", TestPaths.product("miso-sim"), "--stream-nodes", "10"],
                                    currentDirectory: dir, timeout: 300)
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "payload: 5 nodes x 12 intervals, \(try XCTUnwrap(Self.payloadBytes(lines.first))) bytes, seed 1, gzip level 6")
        let header = "| group | measurement | MB | seconds | MB/s | ratio | target | met |"
        let headerIndex = try XCTUnwrap(lines.firstIndex(of: header), result.stdout)
        XCTAssertEqual(lines[headerIndex + 1], "| --- | --- | --- | --- | --- | --- | --- | --- |")
        let rows = lines[(headerIndex + 2)...].prefix { $0.hasPrefix("| ") }.map { line in
            line.dropFirst(2).dropLast(2).components(separatedBy: " | ")
        }
        XCTAssertEqual(rows.map { $0[0] }, ["baseline", "baseline", "baseline", "stage", "stage", "stage", "stage", "stage",
                                            "pipeline", "streaming", "streaming", "streaming", "memory", "startup", "startup",
                                            "backfill", "backfill"], result.stdout)
        func isNumber(_ cell: String) -> Bool { Double(cell) != nil }
        for row in rows {
            XCTAssertEqual(row.count, 8, "\(row)")
            let (group, mb, seconds, rate, ratio, target, met) = (row[0], row[2], row[3], row[4], row[5], row[6], row[7])
            XCTAssertTrue(mb.isEmpty || isNumber(mb), "MB: \(row)")
            if group == "memory" {
                XCTAssertNotNil(seconds.range(of: #"^\d+\.\d MB above idle \d+\.\d MB$"#, options: .regularExpression), "\(row)")
            } else {
                XCTAssertTrue(isNumber(seconds) && Double(seconds)! >= 0, "seconds: \(row)")
            }
            XCTAssertTrue(rate.isEmpty || isNumber(rate), "MB/s: \(row)")
            XCTAssertTrue(ratio.isEmpty || ratio.range(of: #"^\d+\.\d\dx of .+$"#, options: .regularExpression) != nil, "ratio: \(row)")
            XCTAssertTrue(target.isEmpty || target.range(of: #"^≤ \d+\.\d\dx$"#, options: .regularExpression) != nil, "target: \(row)")
            XCTAssertTrue(["", "yes", "NO"].contains(met), "met: \(row)")
            XCTAssertEqual(target.isEmpty, met.isEmpty, "a target has a verdict: \(row)")
            if ["baseline", "stage", "pipeline"].contains(group) { XCTAssertTrue(isNumber(mb) && isNumber(rate), "\(row)") }
        }
        // The verdict line names exactly the rows that missed their target.
        let missed = rows.filter { $0[7] == "NO" }.map { $0[1] }
        let verdict = try XCTUnwrap(lines.last)
        XCTAssertEqual(verdict, missed.isEmpty ? "all targets met" : "targets missed: " + missed.joined(separator: "; "))
    }

    static func payloadBytes(_ line: String?) -> Int? {
        guard let line, let range = line.range(of: #"\d+(?= bytes)"#, options: .regularExpression) else { return nil }
        return Int(line[range])
    }

    func testBenchRefusesABadStageName() throws {
        let result = try runCommand(TestPaths.product("scraper"), ["bench", "--only", "nope"], currentDirectory: dir, timeout: 60)
        XCTAssertEqual(result.status, 64, "a bad argument exits 64, before any work: \(result.stderr)")
        XCTAssertTrue(result.stderr.contains("unknown stage nope; use one of zlib, sha256, parse, validate, gzip, pipeline"), result.stderr)
        XCTAssertEqual(result.stdout, "")
    }

    // MARK: progress on a terminal

    func testBackfillOnATerminalDrawsALiveProgressLine() throws {
        let sim = try MisoSimulatorProcess(arguments: ["--today", "2025-01-20", "--nodes", "2"])
        defer { sim.stop() }
        let tty = dir.appendingPathComponent("tty"), out = dir.appendingPathComponent("stdout")
        // stderr on a pseudo-terminal, stdout to a file (the summary).
        let result = try PythonScript.run(#"""
import os, pty, subprocess, sys
tty_path, out_path, cwd = sys.argv[1], sys.argv[2], sys.argv[3]
master, slave = pty.openpty()
with open(out_path, "wb") as out:
    child = subprocess.Popen(sys.argv[4:], stdin=subprocess.DEVNULL, stdout=out, stderr=slave, cwd=cwd,
                             env={"PATH": os.environ.get("PATH", "/usr/bin"), "HOME": cwd, "TERM": "xterm"})
os.close(slave)
data = b""
while True:
    try:
        chunk = os.read(master, 65536)
    except OSError:
        break
    if not chunk:
        break
    data += chunk
status = child.wait()
open(tty_path, "wb").write(data)
sys.exit(status)
"""#, [tty.path, out.path, dir.path, TestPaths.product("scraper"), "run", "miso-cts", "--start-date", "2025-01-01",
       "--end-date", "2025-01-03", "--api-url", sim.url(MisoSimulatorProcess.ctsPath), "--rate-limit", "0"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let terminal = try String(contentsOf: tty, encoding: .utf8)
        let summary = try String(contentsOf: out, encoding: .utf8)
        XCTAssertTrue(summary.contains("\"collected\": 3"), summary)
        XCTAssertTrue(terminal.contains("\r\u{1B}[2K"), "the line is redrawn in place: \(terminal.debugDescription)")
        let final = try XCTUnwrap(terminal.components(separatedBy: "\u{1B}[2K").last)
        XCTAssertNotNil(final.range(of: #"^3/3 \(100%\)\s+[\d.]+/s\s+ETA 0:00\s+collected 3\s+skipped 0\s+failed 0"#, options: .regularExpression),
                        "the last drawing is the finished line: \(final.debugDescription)")
        XCTAssertFalse(terminal.contains("\"level\""), "on a terminal the logs are text, not JSON")
        XCTAssertFalse(terminal.contains("progress 3/3"), "no progress log lines on a terminal: the live line replaces them")
    }

    // MARK: run --all --environment prod

    func testRunAllInProdUsesTheProdSectionsBackends() throws {
        let sim = try MisoSimulatorProcess(arguments: ["--nodes", "2"])
        defer { sim.stop() }
        let redis = try RedisServer()
        defer { redis.stop() }
        let moto = try MotoServer()
        defer { moto.stop() }
        try moto.createBucket("prod-bucket")
        let scraper = ScraperInvocation(directory: dir, environment: [
            "S3_BUCKET": "prod-bucket", "REDIS_HOST": "127.0.0.1", "REDIS_PORT": String(redis.port),
            "AWS_ACCESS_KEY_ID": MotoServer.setupAccessKeyID, "AWS_SECRET_ACCESS_KEY": MotoServer.setupSecretAccessKey,
        ])
        let feeds = [("miso-cts", "miso.cts", MisoSimulatorProcess.ctsPath), ("miso-exante-lmp", "miso.exante_lmp", MisoSimulatorProcess.exAntePath),
                     ("miso-binding-constraints", "miso.binding_constraints", MisoSimulatorProcess.bindingPath)]
        try scraper.writeConfig("""
        defaults:
          storage: {type: local, path: ./data}
          registry: {type: embedded, path: ./data/registry.sqlite3}
        environments:
          prod:
            storage: {type: s3, bucket: "${S3_BUCKET}", region: us-east-1, endpoint_url: \(moto.endpoint)}
            registry: {type: redis, host: "${REDIS_HOST}", port: "${REDIS_PORT}", password: "${REDIS_PASSWORD:-}"}
        collectors:
        \(feeds.map { "  \($0.0): {type: \($0.1), enabled: true, api_url: \"\(sim.url($0.2))\", http: {rate_limit_per_minute: 0}}" }.joined(separator: "\n"))
        """)
        let result = try scraper.run(["run", "--all", "--environment", "prod", "--log-format", "json"])
        XCTAssertEqual(result.status, 0, result.transcript)
        XCTAssertEqual(result.count("collected"), 3, result.transcript)
        XCTAssertEqual(result.count("failed"), 0, result.transcript)
        let keys = try moto.listKeys("prod-bucket")
        XCTAssertEqual(keys.count, 3, "every collector stored to the prod bucket: \(keys)")
        for group in ["miso_coordinated_transaction_scheduling", "miso_exante_lmp", "miso_binding_constraints_realtime"] {
            XCTAssertEqual(keys.filter { $0.hasPrefix("sourcing/\(group)/year=") }.count, 1, "\(group): \(keys)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("data").path), "nothing in the dev defaults' ./data")
        let redisKeys = try PythonScript.output("""
        import json, sys, redis
        print(json.dumps(sorted(redis.Redis(port=int(sys.argv[1]), decode_responses=True).scan_iter(match="hash:*"))))
        """, [String(redis.port)])
        let registered = try JSONDecoder().decode([String].self, from: Data(redisKeys.utf8))
        XCTAssertEqual(registered.count, 3, "\(registered)")
        XCTAssertTrue(registered.allSatisfy { $0.hasPrefix("hash:prod:") }, "registered under the prod environment: \(registered)")
        // Without S3_BUCKET the prod section cannot resolve, and the run says so before any request.
        let before = try sim.stats().requests
        let refused = try ScraperInvocation(directory: dir, environment: scraper.environment.filter { $0.key != "S3_BUCKET" })
            .run(["run", "--all", "--environment", "prod"])
        XCTAssertEqual(refused.status, 64, refused.transcript)
        XCTAssertTrue(refused.stderr.contains("S3_BUCKET"), refused.transcript)
        XCTAssertEqual(try sim.stats().requests, before, "checked before any request")
    }
}
