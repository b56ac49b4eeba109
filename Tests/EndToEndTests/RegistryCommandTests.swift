import CollectionFramework
import Foundation
import TestSupport
import XCTest

/// `scraper registry get|delete|count` through the built binary, against the embedded SQLite registry and
/// against a real redis-server (also `--redis-db`, for `run` and for `registry`). Redis is inspected with
/// redis-py, the Python framework's own client.
final class RegistryCommandTests: XCTestCase {
    var sim: MisoSimulatorProcess!
    var scraper: ScraperInvocation!
    let group = "miso_coordinated_transaction_scheduling"
    let key = "sourcing/miso_coordinated_transaction_scheduling/year=2025/month=01/day=19/cts_20250119.json.gz"

    override func setUpWithError() throws {
        sim = try MisoSimulatorProcess(arguments: ["--today", "2025-01-20", "--nodes", "2"])
        scraper = ScraperInvocation()
    }

    override func tearDown() {
        sim?.stop()
        if let directory = scraper?.directory { try? FileManager.default.removeItem(at: directory) }
    }

    /// Collects 2025-01-19 once and returns the SHA-256 of what the simulator served.
    private func collectOnce(_ extra: [String] = []) throws -> String {
        let run = try scraper.run(["run", "miso-cts", "--date", "2025-01-19", "--api-url", sim.url(MisoSimulatorProcess.ctsPath),
                                   "--rate-limit", "0", "--log-format", "json"] + extra
                                   + (extra.contains("--redis-host") ? ["--allow-mixed-sharing"] : []))
        XCTAssertEqual(run.status, 0, run.transcript)
        XCTAssertEqual(run.count("collected"), 1, run.transcript)
        return ContentHash.sha256Hex(try sim.get(MisoSimulatorProcess.ctsPath, query: [("date", "2025-01-19")]).body)
    }

    private func registry(_ arguments: [String], _ backend: [String]) throws -> ScraperResult {
        try scraper.run(["registry"] + arguments + ["--dataset", group] + backend, timeout: 60)
    }

    /// get, count and delete against one backend, which holds exactly the record of `sha`.
    private func exerciseRegistryCommands(sha: String, backend: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let count = try registry(["count"], backend)
        XCTAssertEqual(count.status, 0, count.transcript, file: file, line: line)
        XCTAssertEqual(count.stdout, "1\n", count.transcript, file: file, line: line)

        for spelling in [sha, sha.uppercased()] {
            let get = try registry(["get", spelling], backend)
            XCTAssertEqual(get.status, 0, get.transcript, file: file, line: line)
            let record = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(get.stdout.utf8)) as? [String: Any], get.stdout,
                                       file: file, line: line)
            XCTAssertEqual(Set(record.keys), ["s3_path", "registered_at", "metadata"], get.stdout, file: file, line: line)
            XCTAssertTrue((record["s3_path"] as? String)?.hasSuffix(key) == true, get.stdout, file: file, line: line)
            let registeredAt = try XCTUnwrap(record["registered_at"] as? String, file: file, line: line)
            XCTAssertNotNil(registeredAt.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$"#, options: .regularExpression),
                            registeredAt, file: file, line: line)
            XCTAssertNotNil(record["metadata"] as? [String: Any], get.stdout, file: file, line: line)
        }
        let otherGroup = try scraper.run(["registry", "count", "--dataset", "miso_exante_lmp"] + backend, timeout: 60)
        XCTAssertEqual(otherGroup.stdout, "0\n", otherGroup.transcript, file: file, line: line)

        let unknown = String(repeating: "0", count: 64)
        let missing = try registry(["get", unknown], backend)
        XCTAssertEqual(missing.status, 1, missing.transcript, file: file, line: line)
        XCTAssertTrue(missing.stderr.contains("hash \(unknown) is not registered for \(group)"), missing.transcript, file: file, line: line)
        XCTAssertEqual(missing.stdout, "", file: file, line: line)

        let delete = try registry(["delete", sha], backend)
        XCTAssertEqual(delete.status, 0, delete.transcript, file: file, line: line)
        XCTAssertEqual(delete.stdout, "deleted\n", delete.transcript, file: file, line: line)
        XCTAssertEqual(try registry(["count"], backend).stdout, "0\n", file: file, line: line)
        XCTAssertEqual(try registry(["get", sha], backend).status, 1, "forgotten", file: file, line: line)
        let again = try registry(["delete", sha], backend)
        XCTAssertEqual(again.status, 1, again.transcript, file: file, line: line)
        XCTAssertEqual(again.stdout, "not registered\n", again.transcript, file: file, line: line)
    }

    func testGetCountAndDeleteAgainstTheEmbeddedRegistry() throws {
        let sha = try collectOnce()
        try exerciseRegistryCommands(sha: sha, backend: [])
        // Forgotten: the next run collects the same content again instead of skipping it.
        let rerun = try scraper.run(["run", "miso-cts", "--date", "2025-01-19", "--api-url", sim.url(MisoSimulatorProcess.ctsPath),
                                     "--rate-limit", "0", "--log-format", "json"])
        XCTAssertEqual(rerun.count("collected"), 1, rerun.transcript)
        XCTAssertEqual(rerun.count("skipped_duplicate"), 0, rerun.transcript)
        XCTAssertEqual(try registry(["count"], []).stdout, "1\n")
    }

    func testGetCountAndDeleteAgainstRedisInTheDatabaseNamedByRedisDB() throws {
        let redis = try RedisServer()
        defer { redis.stop() }
        let target = ["--redis-host", "127.0.0.1", "--redis-port", String(redis.port)]
        let sha = try collectOnce(target + ["--redis-db", "3"])
        let redisKey = "hash:dev:\(group):\(sha)"

        // run --redis-db 3 wrote into database 3 and nowhere else (redis-py is the judge).
        XCTAssertEqual(try Self.redisKeys(port: redis.port, db: 3), [redisKey])
        XCTAssertEqual(try Self.redisKeys(port: redis.port, db: 0), [], "nothing in the default database")
        let inDefault = try registry(["count"], target)
        XCTAssertEqual(inDefault.stdout, "0\n", "registry without --redis-db reads database 0: \(inDefault.transcript)")

        try exerciseRegistryCommands(sha: sha, backend: target + ["--redis-db", "3"])
        XCTAssertEqual(try Self.redisKeys(port: redis.port, db: 3), [], "delete removed the Redis key")
    }

    func testRegistryCommandsReportAnUnreachableRedisWithExit69() throws {
        let port = Loopback.freePort()
        let result = try registry(["count"], ["--redis-host", "127.0.0.1", "--redis-port", String(port)])
        XCTAssertEqual(result.status, 69, result.transcript)
        XCTAssertTrue(result.stderr.contains("127.0.0.1:\(port)"), result.transcript)
        XCTAssertEqual(result.stdout, "")
    }

    /// Keys matching `hash:*` in database `db`, sorted, read with redis-py.
    static func redisKeys(port: Int, db: Int) throws -> [String] {
        let out = try PythonScript.output("""
        import json, sys, redis
        r = redis.Redis(host="127.0.0.1", port=int(sys.argv[1]), db=int(sys.argv[2]), decode_responses=True)
        print(json.dumps(sorted(r.scan_iter(match="hash:*"))))
        """, [String(port), String(db)])
        return try JSONDecoder().decode([String].self, from: Data(out.utf8))
    }
}
