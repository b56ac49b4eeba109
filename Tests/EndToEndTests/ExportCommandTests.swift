import CollectionFramework
import Foundation
import TestSupport
import XCTest

/// `scraper export` through the built binary: the same rows from the local store and from S3 (moto), overlapping snapshots resolved by --latest or kept by --all, and bad
/// arguments refused before anything is read.
final class ExportCommandTests: XCTestCase {
    var sim: MisoSimulatorProcess!
    var scraper: ScraperInvocation!
    let group = "miso_coordinated_transaction_scheduling"

    override func setUpWithError() throws {
        sim = try MisoSimulatorProcess(arguments: ["--today", "2025-01-21", "--nodes", "2"])
        scraper = ScraperInvocation()
    }

    override func tearDown() {
        sim?.stop()
        if let directory = scraper?.directory { try? FileManager.default.removeItem(at: directory) }
    }

    private func collect(_ extra: [String] = []) throws {
        let run = try scraper.run(["run", "miso-cts", "--start-date", "2025-01-20", "--end-date", "2025-01-21",
                                   "--api-url", sim.url(MisoSimulatorProcess.ctsPath), "--rate-limit", "0", "--log-format", "json"] + extra)
        XCTAssertEqual(run.count("collected"), 2, run.transcript)
    }

    private func export(_ arguments: [String], environment: [String: String] = [:]) throws -> ScraperResult {
        var invocation = scraper!
        invocation.environment.merge(environment) { $1 }
        return try invocation.run(["export", "miso-cts", "--log-format", "json"] + arguments, timeout: 120)
    }

    /// The stderr summary line of an export.
    private func summary(_ result: ScraperResult) throws -> JSONObject {
        let line = try XCTUnwrap(result.stderr.split(separator: "\n").last { $0.contains("\"objects_read\"") }, result.transcript)
        guard case .object(let object) = try JSONValue.parse(Data(line.utf8)) else { throw XCTSkip("summary is not an object") }
        return object
    }

    /// The rows the simulator serves for a day, as (utc interval, node, total), computed from its JSON.
    private func served(_ day: String) throws -> [String] {
        let body = try sim.get(MisoSimulatorProcess.ctsPath, query: [("date", day)]).body
        let root = try JSONParser.parse(body)
        return (root["data"]?.array ?? []).map { record in
            "\(record["node"]?.string ?? "")|\(record["forecastedLMP"]?["total"]?.number ?? .nan)"
        }
    }

    func testLocalAndS3GiveTheSameRowsAndTheRowsAreTheServedRecords() throws {
        try collect()
        let local = try export(["--start-date", "2025-01-20", "--end-date", "2025-01-21"])
        XCTAssertEqual(local.status, 0, local.transcript)
        XCTAssertEqual(try summary(local)["objects_read"], .int(2))
        XCTAssertTrue(local.stderr.contains("export progress [####################] 2/2 objects read"),
                      "off a terminal the progress bar is logged: \(local.stderr)")

        let lines = local.stdout.split(separator: "\r\n").map(String.init)
        let header = lines[0].split(separator: ",").map(String.init)
        XCTAssertEqual(Array(header.prefix(3)), ["interval_start_utc", "interval_start_miso", "node"])
        XCTAssertEqual(Array(header.suffix(2)), ["snapshot", "collected_at"])
        let column = { (name: String) in header.firstIndex(of: name)! }
        let rows = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let expected = try served("2025-01-20") + served("2025-01-21")
        XCTAssertEqual(rows.count, expected.count)
        XCTAssertEqual(Set(rows.map { "\($0[column("node")])|\(Double($0[column("lmp_total")]) ?? .nan)" }), Set(expected))
        XCTAssertEqual(rows.first?[column("interval_start_utc")], "2025-01-20T05:00:00Z", "midnight EST is 05:00 UTC")
        XCTAssertEqual(rows.first?[column("interval_start_miso")], "2025-01-20T00:00:00-05:00")
        XCTAssertEqual(rows.first?[column("snapshot")], "cts_20250120.json")
        XCTAssertEqual(rows.map { $0[column("interval_start_utc")] }, rows.map { $0[column("interval_start_utc")] }.sorted(), "interval order")

        // The same collection into S3 (with Redis, both shared), read back. moto's signature checks stay off:
        // moto 5.2 misreads `=` in keys and `/` or `=` in a query (S3SignatureTests pins both quirks), and
        // the botocore-based reference server checks that our keys and listings are signed as S3 wants.
        let redis = try RedisServer()
        let moto = try MotoServer()
        defer { redis.stop(); moto.stop() }
        try moto.createBucket("exports")
        let user = try moto.createUser(named: "analyst")
        let aws = ["AWS_ACCESS_KEY_ID": user.accessKeyID, "AWS_SECRET_ACCESS_KEY": user.secretAccessKey,
                   "AWS_ENDPOINT_URL": moto.endpoint, "AWS_REGION": "us-east-1"]
        scraper.environment.merge(aws) { $1 }
        try collect(["--s3-bucket", "exports", "--redis-host", "127.0.0.1", "--redis-port", String(redis.port)])
        let fromS3 = try export(["--start-date", "2025-01-20", "--end-date", "2025-01-21", "--s3-bucket", "exports"])
        XCTAssertEqual(fromS3.status, 0, fromS3.transcript + moto.log.suffix(2000))
        XCTAssertEqual(fromS3.stdout, local.stdout, "the export is the same from the local store and from S3")
        XCTAssertFalse(fromS3.stderr.contains(user.secretAccessKey))

        let jsonLocal = try export(["--date", "2025-01-20", "--format", "jsonl"])
        let jsonS3 = try export(["--date", "2025-01-20", "--format", "jsonl", "--s3-bucket", "exports"])
        XCTAssertEqual(jsonLocal.stdout, jsonS3.stdout)
        let first = try JSONValue.parse(Data(jsonLocal.stdout.split(separator: "\n")[0].utf8))
        guard case .object(let object) = first else { return XCTFail(jsonLocal.stdout) }
        XCTAssertEqual(object["shape"], .string("documented"))
        XCTAssertEqual(object["pjm_forecasted_lmp"], .null, "missing values are null in JSON Lines")
        if case .double? = object["lmp_total"] {} else if case .int? = object["lmp_total"] {} else { XCTFail("lmp_total is a number: \(object)") }
    }

    func testLatestTakesTheNewerSnapshotsRowWhereSnapshotsOverlapAndAllKeepsBoth() async throws {
        try collect()
        // A later snapshot of the same day in which one interval's price was revised.
        let dayKey = "sourcing/\(group)/year=2025/month=01/day=20/cts_20250120.json.gz"
        let stored = try await scraper.store.get(key: dayKey)
        let original = try Gzip.decompress(try XCTUnwrap(stored))
        var text = String(decoding: original, as: UTF8.self)
        let range = try XCTUnwrap(text.range(of: #""total": ?[-0-9.]+"#, options: .regularExpression))
        text.replaceSubrange(range, with: "\"total\": 1234.5")
        let revised = Data(text.utf8)
        _ = try await scraper.store.put(ObjectPutRequest(
            key: "sourcing/\(group)/year=2025/month=01/day=20/cts_snapshot_20250120_2355.json.gz",
            body: try Gzip.compress(revised), contentSHA256: ContentHash.sha256Hex(revised)))

        let latest = try export(["--date", "2025-01-20", "--latest"])
        let all = try export(["--date", "2025-01-20", "--all"])
        XCTAssertEqual(latest.status, 0, latest.transcript)
        XCTAssertEqual(all.status, 0, all.transcript)
        let latestRows = latest.stdout.split(separator: "\r\n").dropFirst()
        let allRows = all.stdout.split(separator: "\r\n").dropFirst()
        let perDay = try served("2025-01-20").count
        XCTAssertEqual(latestRows.count, perDay, "one row per interval and node")
        XCTAssertEqual(allRows.count, 2 * perDay, "every row of both snapshots")
        XCTAssertTrue(latestRows.allSatisfy { $0.contains("cts_snapshot_20250120_2355.json") }, "the newer snapshot wins everywhere")
        XCTAssertEqual(latestRows.filter { $0.contains(",1234.5,") }.count, 1)
        XCTAssertEqual(try export(["--date", "2025-01-20"]).stdout, latest.stdout, "--latest is the default")
        XCTAssertEqual(try summary(all)["rows"], .int(2 * perDay))
    }

    /// On a terminal (a pseudo-terminal from util-linux `script`) the bar is redrawn in place on stderr.
    func testOnATerminalTheProgressBarIsRedrawnInPlace() throws {
        try collect()
        let script = try XCTUnwrap(TestPaths.which("script"), "util-linux script (Debian bsdutils) is needed")
        let command = ([TestPaths.product("scraper"), "export", "miso-cts", "--start-date", "2025-01-20", "--end-date", "2025-01-21",
                        "--output", "out.csv"]).joined(separator: " ")
        let result = try runCommand(script, ["-qec", command, "/dev/null"],
                                    environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": scraper.directory.path],
                                    currentDirectory: scraper.directory, timeout: 120)
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("\r\u{1B}[2K[####################] 2/2 objects read"), result.stdout.debugDescription)
        XCTAssertFalse(result.stdout.contains("export progress"), "no log lines on a terminal: \(result.stdout)")
    }

    func testBadArgumentsAreRefusedWithTheFixAndNothingIsWritten() throws {
        let output = scraper.directory.appendingPathComponent("out.csv").path
        for (arguments, needle) in [
            (["--start-date", "2025-01-21", "--end-date", "2025-01-20"], "after --end-date"),
            (["--start-date", "2025-01-21"], "--start-date D1 and --end-date D2"),
            (["--date", "2025-13-01"], "YYYY-MM-DD"),
            (["--date", "2025-01-20", "--format", "xml"], "csv or jsonl"),
        ] {
            let result = try export(arguments + ["--output", output])
            XCTAssertEqual(result.status, 64, result.transcript)
            XCTAssertTrue(result.stderr.contains(needle), "\(needle): \(result.stderr)")
        }
        let unknown = try scraper.run(["export", "no-such-collector", "--date", "2025-01-20"])
        XCTAssertEqual(unknown.status, 64, unknown.transcript)
        XCTAssertTrue(unknown.stderr.contains("known: "), unknown.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output))

        // An empty range is not an error: the header, no rows, and a summary saying so.
        let empty = try export(["--date", "2025-01-20", "--output", output])
        XCTAssertEqual(empty.status, 0, empty.transcript)
        XCTAssertEqual(try String(contentsOfFile: output, encoding: .utf8).split(separator: "\r\n").count, 1)
        XCTAssertEqual(try summary(empty)["objects_read"], .int(0))
    }
}
