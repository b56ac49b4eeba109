import CollectionFramework
import TestSupport
import XCTest

/// The built `scraper` backfilling against a slow simulator with one worker and with four: the
/// stored objects and registry entries must be identical (how much faster four are is measured by
/// `scraper bench`, not asserted here: these machines are too noisy for timed tests).
final class ConcurrencyBackfillTests: XCTestCase {
    var sim: MisoSimulatorProcess!
    let group = "miso_coordinated_transaction_scheduling"
    let days = (1...8).map { String(format: "2025-01-%02d", $0) }

    override func setUpWithError() throws {
        sim = try MisoSimulatorProcess(arguments: ["--today", "2025-01-20", "--nodes", "4", "--latency-ms", "150"])
    }

    override func tearDown() {
        sim?.stop()
    }

    func backfill(concurrency: Int) throws -> (ScraperInvocation, ScraperResult) {
        let scraper = ScraperInvocation()
        let result = try scraper.run([
            "run", "miso-cts", "--api-url", sim.url(MisoSimulatorProcess.ctsPath), "--rate-limit", "0",
            "--start-date", days.first!, "--end-date", days.last!, "--concurrency", String(concurrency), "--log-format", "json",
        ])
        return (scraper, result)
    }

    func testSerialAndConcurrentBackfillsStoreIdenticalObjectsAndRegistryEntries() async throws {
        let (serial, serialResult) = try backfill(concurrency: 1)
        let (parallel, parallelResult) = try backfill(concurrency: 4)
        for result in [serialResult, parallelResult] {
            XCTAssertEqual(result.status, 0, result.transcript)
            XCTAssertEqual(result.count("total_candidates"), days.count)
            XCTAssertEqual(result.count("collected"), days.count, result.transcript)
            XCTAssertEqual(result.count("failed"), 0)
        }
        XCTAssertTrue(parallelResult.stderr.contains("with 4 worker(s)"), parallelResult.stderr)
        XCTAssertTrue(serialResult.stderr.contains("with 1 worker(s)"), serialResult.stderr)

        let keys = serial.store.keys(under: "sourcing/\(group)")
        XCTAssertEqual(keys, days.map { day in
            let compact = day.replacingOccurrences(of: "-", with: "")
            return "sourcing/\(group)/year=2025/month=01/day=\(day.suffix(2))/cts_\(compact).json.gz"
        })
        XCTAssertEqual(parallel.store.keys(under: "sourcing/\(group)"), keys)
        let serialRegistry = try serial.registry(), parallelRegistry = try parallel.registry()
        for (key, day) in zip(keys, days) {
            let stored = try await XCTUnwrapAsync(await serial.store.get(key: key))
            await XCTAssertEqualAsync(try await parallel.store.get(key: key), stored, "\(key): the same gzip bytes")
            let served = try sim.get(MisoSimulatorProcess.ctsPath, query: [("date", day)]).body
            XCTAssertEqual(try Gzip.decompress(stored), served, "\(key) holds what the server sent")
            let sha = ContentHash.sha256Hex(served)
            let a = try await XCTUnwrapAsync(try await serialRegistry.get(sha256: sha, datasetGroup: group), key)
            let b = try await XCTUnwrapAsync(try await parallelRegistry.get(sha256: sha, datasetGroup: group), key)
            XCTAssertTrue(a.location.hasSuffix(key) && b.location.hasSuffix(key))
            var (ma, mb) = (a.metadata, b.metadata)
            XCTAssertNotNil(ma["collected_at"])
            ma["collected_at"] = nil
            mb["collected_at"] = nil
            // Each record names the run that stored it: two runs, two ids.
            XCTAssertNotNil(ma["run_id"]?.stringValue, key)
            XCTAssertNotEqual(ma["run_id"], mb["run_id"], key)
            ma["run_id"] = nil
            mb["run_id"] = nil
            XCTAssertEqual(ma, mb, "\(key): the same metadata apart from the run's own collection time and id")
        }
        await XCTAssertEqualAsync(try await serialRegistry.count(datasetGroup: group), days.count)
        await XCTAssertEqualAsync(try await parallelRegistry.count(datasetGroup: group), days.count)
        XCTAssertEqual(try sim.stats().byPath[MisoSimulatorProcess.ctsPath], 2 * days.count + days.count,
                       "one request per day per run, plus the test's own reads")
    }

    func testAConcurrentRunOverContentAlreadyStoredSkipsEveryDay() async throws {
        let (scraper, first) = try backfill(concurrency: 4)
        XCTAssertEqual(first.count("collected"), days.count, first.transcript)
        let again = try scraper.run([
            "run", "miso-cts", "--api-url", sim.url(MisoSimulatorProcess.ctsPath), "--rate-limit", "0",
            "--start-date", days.first!, "--end-date", days.last!, "--concurrency", "4", "--log-format", "json",
        ])
        XCTAssertEqual(again.status, 0, again.transcript)
        XCTAssertEqual(again.count("skipped_duplicate"), days.count, again.transcript)
        XCTAssertEqual(again.count("collected"), 0)
        XCTAssertEqual(scraper.store.keys(under: "sourcing/\(group)").count, days.count)
    }
}
