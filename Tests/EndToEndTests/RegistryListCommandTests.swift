import CollectionFramework
import Foundation
import TestSupport
import XCTest

/// `scraper registry list` and `scraper registry why` through the built binary, against the embedded
/// SQLite registry and against a real redis-server: the same records, filters and answers from both.
final class RegistryListCommandTests: XCTestCase {
    var sim: MisoSimulatorProcess!
    var scraper: ScraperInvocation!
    let group = "miso_coordinated_transaction_scheduling"

    override func setUpWithError() throws {
        sim = try MisoSimulatorProcess(arguments: ["--today", "2025-01-20", "--nodes", "2"])
        scraper = ScraperInvocation()
    }

    override func tearDown() {
        sim?.stop()
        if let directory = scraper?.directory { try? FileManager.default.removeItem(at: directory) }
    }

    private func key(_ day: Int) -> String { "sourcing/\(group)/year=2025/month=01/day=\(day)/cts_202501\(day).json.gz" }

    /// Collects 2025-01-19 and 2025-01-20 in one run; returns the run's id (from its log lines) and the two hashes.
    private func collect(_ backend: [String]) throws -> (runID: String, shas: [Int: String]) {
        let run = try scraper.run(["run", "miso-cts", "--start-date", "2025-01-19", "--end-date", "2025-01-20",
                                   "--api-url", sim.url(MisoSimulatorProcess.ctsPath), "--rate-limit", "0", "--log-format", "json"]
                                   + backend + (backend.isEmpty ? [] : ["--allow-mixed-sharing"]))
        XCTAssertEqual(run.count("collected"), 2, run.transcript)
        let match = try XCTUnwrap(run.stderr.range(of: #""run_id": "[0-9a-f]{8}""#, options: .regularExpression), run.stderr)
        let runID = String(run.stderr[match].dropFirst(#""run_id": ""#.count).dropLast())
        var shas: [Int: String] = [:]
        for day in [19, 20] {
            shas[day] = ContentHash.sha256Hex(try sim.get(MisoSimulatorProcess.ctsPath, query: [("date", "2025-01-\(day)")]).body)
        }
        return (runID, shas)
    }

    private func registry(_ arguments: [String], _ backend: [String]) throws -> ScraperResult {
        try scraper.run(["registry"] + arguments + backend, timeout: 60)
    }

    private func jsonLines(_ result: ScraperResult) throws -> [JSONObject] {
        try result.stdout.split(separator: "\n").map { line in
            guard case .object(let object) = try JSONValue.parse(Data(line.utf8)) else { throw XCTSkip("not JSON: \(line)") }
            return object
        }
    }

    private func exercise(_ backend: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let (runID, shas) = try collect(backend)

        let all = try registry(["list", "--format", "json"], backend)
        XCTAssertEqual(all.status, 0, all.transcript, file: file, line: line)
        let records = try jsonLines(all)
        XCTAssertEqual(Set(records.compactMap { $0["sha256"]?.stringValue }), Set(shas.values), all.stdout, file: file, line: line)
        for record in records {
            XCTAssertEqual(record["dataset"]?.stringValue, group, file: file, line: line)
            XCTAssertEqual(record["run_id"]?.stringValue, runID, "the record names the run that stored it", file: file, line: line)
            let sha = try XCTUnwrap(record["sha256"]?.stringValue, file: file, line: line)
            let day = try XCTUnwrap(shas.first { $0.value == sha }?.key, file: file, line: line)
            XCTAssertTrue(record["s3_path"]?.stringValue?.hasSuffix(key(day)) == true, all.stdout, file: file, line: line)
        }

        // Filters: the partition of the stored location, and the dataset group.
        let day19 = try jsonLines(try registry(["list", "--format", "json", "--date-prefix", "2025-01-19"], backend))
        XCTAssertEqual(day19.map { $0["sha256"]?.stringValue }, [shas[19]], file: file, line: line)
        XCTAssertEqual(try jsonLines(try registry(["list", "--format", "json", "--date-prefix", "2025-01"], backend)).count, 2, file: file, line: line)
        XCTAssertEqual(try registry(["list", "--format", "json", "--date-prefix", "2025-02"], backend).stdout, "", file: file, line: line)
        XCTAssertEqual(try registry(["list", "--format", "json", "--dataset", group], backend).stdout, all.stdout, file: file, line: line)
        XCTAssertEqual(try registry(["list", "--format", "json", "--dataset", "miso_exante_lmp"], backend).stdout, "", file: file, line: line)
        XCTAssertEqual(try registry(["list", "--date-prefix", "2025-1"], backend).status, 64, file: file, line: line)

        let table = try registry(["list"], backend)
        XCTAssertEqual(table.status, 0, table.transcript, file: file, line: line)
        let rows = table.stdout.split(separator: "\n")
        XCTAssertEqual(rows.count, 4, table.stdout, file: file, line: line)
        XCTAssertTrue(rows[0].hasPrefix("REGISTERED_AT") && rows[0].hasSuffix("LOCATION"), table.stdout, file: file, line: line)
        XCTAssertEqual(rows.last, "2 records", file: file, line: line)
        XCTAssertTrue(rows[1].contains(String(shas[19]!.prefix(12))) || rows[1].contains(String(shas[20]!.prefix(12))), table.stdout, file: file, line: line)

        // why: by hash (either case) and by identifier, then something never stored.
        for subject in [shas[20]!, shas[20]!.uppercased(), "cts_20250120.json", "cts_20250120.json.gz"] {
            let why = try registry(["why", subject], backend)
            XCTAssertEqual(why.status, 0, why.transcript, file: file, line: line)
            XCTAssertTrue(why.stdout.contains("registered: yes\ndataset: \(group)\nsha256: \(shas[20]!)\n"), why.stdout, file: file, line: line)
            XCTAssertTrue(why.stdout.contains("stored at: "), why.stdout, file: file, line: line)
            XCTAssertTrue(why.stdout.split(separator: "\n").contains { $0.hasPrefix("stored at: ") && $0.hasSuffix(key(20)) }, why.stdout, file: file, line: line)
            XCTAssertTrue(why.stdout.contains("\nrun: \(runID)\n"), why.stdout, file: file, line: line)
            XCTAssertNotNil(why.stdout.range(of: #"registered_at: \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d+Z"#, options: .regularExpression), why.stdout, file: file, line: line)
        }
        let unknown = try registry(["why", String(repeating: "0", count: 64)], backend)
        XCTAssertEqual(unknown.status, 1, unknown.transcript, file: file, line: line)
        XCTAssertTrue(unknown.stdout.hasPrefix("not registered: "), unknown.stdout, file: file, line: line)
        let elsewhere = try registry(["why", "cts_20250120.json", "--dataset", "miso_exante_lmp"], backend)
        XCTAssertEqual(elsewhere.status, 1, elsewhere.transcript, file: file, line: line)
    }

    func testListAndWhyAgainstTheEmbeddedRegistry() throws {
        try exercise([])
    }

    func testListAndWhyAgainstRedis() throws {
        let redis = try RedisServer()
        defer { redis.stop() }
        try exercise(["--redis-host", "127.0.0.1", "--redis-port", String(redis.port)])
    }
}
