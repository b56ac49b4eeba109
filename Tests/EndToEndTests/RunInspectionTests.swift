import CollectionFramework
import Foundation
import TestSupport
import XCTest

/// `scraper run --dry-run` and `scraper run --output -` through the built binary against the simulator:
/// both fetch and validate, neither writes to the store or the registry.
final class RunInspectionTests: XCTestCase {
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

    private func run(_ extra: [String]) throws -> ScraperResult {
        try scraper.run(["run", "miso-cts", "--date", "2025-01-20", "--api-url", sim.url(MisoSimulatorProcess.ctsPath),
                         "--rate-limit", "0", "--log-format", "json"] + extra)
    }

    private func objects(_ line: Substring) throws -> JSONObject {
        guard case .object(let object) = try JSONValue.parse(Data(line.utf8)) else { throw XCTSkip("not an object: \(line)") }
        return object
    }

    func testDryRunPrintsTheKeyAndShaThatARealRunThenStoresAndWritesNothing() async throws {
        let dry = try run(["--dry-run"])
        XCTAssertEqual(dry.status, 0, dry.transcript)
        let lines = dry.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 2, dry.transcript)
        let planned = try objects(lines[0])
        let key = "sourcing/\(group)/year=2025/month=01/day=20/cts_20250120.json.gz"
        let served = try sim.get(MisoSimulatorProcess.ctsPath, query: [("date", "2025-01-20")]).body
        let sha = ContentHash.sha256Hex(served)
        XCTAssertEqual(planned["key"]?.stringValue, key, dry.stdout)
        XCTAssertEqual(planned["sha256"]?.stringValue, sha, dry.stdout)
        XCTAssertEqual(planned["raw_size"], .int(served.count), dry.stdout)
        XCTAssertEqual(planned["duplicate"], .bool(false), dry.stdout)
        XCTAssertEqual(planned["would_store"], .bool(true), dry.stdout)
        XCTAssertEqual(dry.count("collected"), 0, dry.stdout)
        XCTAssertEqual(dry.count("would_store"), 1, dry.stdout)
        XCTAssertEqual(dry.summary?["dry_run"], .bool(true), dry.stdout)
        // Nothing written: no object, no registered hash, no claim left.
        XCTAssertEqual(scraper.store.keys(under: "sourcing"), [])
        let registry = try scraper.registry()
        let count = try await registry.count(datasetGroup: group)
        XCTAssertEqual(count, 0)

        // The real run stores exactly what the dry run announced.
        let real = try run([])
        XCTAssertEqual(real.count("collected"), 1, real.transcript)
        XCTAssertEqual(scraper.store.keys(under: "sourcing"), [key])
        let stored = try await XCTUnwrapAsync(await scraper.store.get(key: key))
        XCTAssertEqual(planned["size"], .int(stored.count), "the dry run's size is the stored object's")
        let record = try await registry.get(sha256: sha, datasetGroup: group)
        XCTAssertTrue(record?.location.hasSuffix(key) == true, "\(String(describing: record))")

        // Now the same content is a duplicate, and the dry run says so.
        let again = try run(["--dry-run"])
        XCTAssertEqual(again.status, 0, again.transcript)
        let second = try objects(again.stdout.split(separator: "\n")[0])
        XCTAssertEqual(second["duplicate"], .bool(true), again.stdout)
        XCTAssertEqual(second["would_store"], .bool(false), again.stdout)
        XCTAssertEqual(again.count("skipped_duplicate"), 1, again.stdout)
        XCTAssertEqual(again.count("would_store"), 0, again.stdout)
    }

    func testOutputDashWritesTheServedBytesToStdoutAndTheSummaryToStderr() async throws {
        let result = try run(["--output", "-"])
        XCTAssertEqual(result.status, 0, result.transcript)
        let served = try sim.get(MisoSimulatorProcess.ctsPath, query: [("date", "2025-01-20")]).body
        XCTAssertEqual(Data(result.stdout.utf8), served, "stdout is exactly the served payload")
        let last = try XCTUnwrap(result.stderr.split(separator: "\n").last)
        let summary = try objects(last)
        XCTAssertEqual(summary["total_candidates"], .int(1), result.stderr)
        XCTAssertEqual(summary["failed"], .int(0), result.stderr)
        XCTAssertEqual(summary["collected"], .int(0), result.stderr)
        XCTAssertEqual(scraper.store.keys(under: "sourcing"), [])
        let count = try await scraper.registry().count(datasetGroup: group)
        XCTAssertEqual(count, 0)

        let file = try scraper.run(["run", "miso-cts", "--output", "out.json"])
        XCTAssertEqual(file.status, 64, file.transcript)
    }
}
