import CollectionFramework
import TestSupport
import XCTest

/// The built `scraper` against the MISO simulator, on the embedded defaults.
final class CTSEndToEndTests: XCTestCase {
    var sim: MisoSimulatorProcess!
    var scraper: ScraperInvocation!
    let group = "miso_coordinated_transaction_scheduling"

    override func setUpWithError() throws {
        sim = try MisoSimulatorProcess(arguments: ["--today", "2025-01-20", "--nodes", "3"])
        scraper = ScraperInvocation()
    }

    override func tearDown() {
        sim?.stop()
    }

    var apiURL: String { sim.url(MisoSimulatorProcess.ctsPath) }

    func run(_ extra: [String]) throws -> ScraperResult {
        try scraper.run(["run", "miso-cts", "--api-url", apiURL, "--rate-limit", "0", "--log-format", "json"] + extra)
    }

    func testDateRunStoresExactlyWhatTheServerSentThenSkipsThenForceReStores() async throws {
        let first = try run(["--date", "2025-01-20"])
        XCTAssertEqual(first.status, 0, first.transcript)
        XCTAssertEqual(first.count("total_candidates"), 1)
        XCTAssertEqual(first.count("collected"), 1, first.transcript)
        let key = "sourcing/\(group)/year=2025/month=01/day=20/cts_20250120.json.gz"
        let stored = try await XCTUnwrapAsync(await scraper.store.get(key: key), "stored at \(scraper.store.keys())")
        let served = try sim.get(MisoSimulatorProcess.ctsPath, query: [("date", "2025-01-20")]).body
        XCTAssertEqual(try Gzip.decompress(stored), served, "the stored object gunzips to exactly the served bytes")
        let registry = try scraper.registry()
        let record = try await XCTUnwrapAsync(await registry.get(sha256: ContentHash.sha256Hex(served), datasetGroup: group))
        XCTAssertTrue(record.location.hasSuffix(key))
        let ttl = try await XCTUnwrapAsync(try await registry.timeToLive(sha256: ContentHash.sha256Hex(served), datasetGroup: group))
        XCTAssertEqual(ttl, 365 * 86400, accuracy: 120)

        let second = try run(["--date", "2025-01-20"])
        XCTAssertEqual(second.status, 0, second.transcript)
        XCTAssertEqual(second.count("collected"), 0)
        XCTAssertEqual(second.count("skipped_duplicate"), 1, second.transcript)

        let forced = try run(["--date", "2025-01-20", "--force"])
        XCTAssertEqual(forced.status, 0, forced.transcript)
        XCTAssertEqual(forced.count("collected"), 1, forced.transcript)
        XCTAssertEqual(scraper.store.keys(under: "sourcing/\(group)"), [key])
    }

    func testRangeMakesOneObjectPerDay() async throws {
        let result = try run(["--start-date", "2025-01-18", "--end-date", "2025-01-20"])
        XCTAssertEqual(result.status, 0, result.transcript)
        XCTAssertEqual(result.count("collected"), 3, result.transcript)
        XCTAssertEqual(scraper.store.keys(under: "sourcing/\(group)"), [18, 19, 20].map {
            "sourcing/\(group)/year=2025/month=01/day=\($0)/cts_202501\($0).json.gz"
        })
        XCTAssertEqual(try sim.stats().byPath[MisoSimulatorProcess.ctsPath], 3)
    }

    func testFiltersAreSentAsQueryParametersAndNamedInTheIdentifier() async throws {
        let result = try run(["--date", "2025-01-20", "--interval", "14:35", "--node", "MISO.PJM.INTERFACE1"])
        XCTAssertEqual(result.status, 0, result.transcript)
        let key = "sourcing/\(group)/year=2025/month=01/day=20/cts_20250120_int1435_MISO_PJM_INTERFACE1.json.gz"
        let body = try Gzip.decompress(try await XCTUnwrapAsync(await scraper.store.get(key: key), "\(scraper.store.keys())"))
        let served = try sim.get(MisoSimulatorProcess.ctsPath, query: [("date", "2025-01-20"), ("interval", "14:35"), ("node", "MISO.PJM.INTERFACE1")]).body
        XCTAssertEqual(body, served)
        let text = String(decoding: body, as: UTF8.self)
        XCTAssertTrue(text.contains("\"14:35\""))
        XCTAssertFalse(text.contains("INTERFACE2"), "the node filter reached the server")
    }

    func testSnapshotUsesTheCollectionTimeForItsIdentifier() async throws {
        let result = try run([])
        XCTAssertEqual(result.status, 0, result.transcript)
        let keys = scraper.store.keys(under: "sourcing/\(group)")
        XCTAssertEqual(keys.count, 1)
        let name = try XCTUnwrap(keys.first?.split(separator: "/").last)
        XCTAssertTrue(name.range(of: #"^cts_snapshot_\d{8}_\d{4}\.json\.gz$"#, options: .regularExpression) != nil, String(name))
    }

    func testEveryBrokenPayloadStoresNothingAndRegistersNothing() async throws {
        let faults = ["bad-structure": "json_structure", "bad-arithmetic": "lmp_arithmetic", "bad-interval": "interval_format",
                      "bad-lmp-direction": "lmp_direction", "bad-transaction-direction": "transaction_direction",
                      "non-numeric": "numeric_values", "negative-volume": "volume_non_negative",
                      "bad-quality": "data_quality", "wrong-day": "operating_day", "html": "json_structure"]
        for (fault, rule) in faults.sorted(by: { $0.key < $1.key }) {
            try sim.setFault(fault, count: 1)
            let result = try run(["--date", "2025-01-20"])
            XCTAssertEqual(result.status, 1, "\(fault): \(result.transcript)")
            XCTAssertEqual(result.count("failed"), 1, "\(fault): \(result.transcript)")
            XCTAssertTrue(result.errors.first?.contains("[\(rule)]") == true, "\(fault) should fail \(rule): \(result.errors)")
            XCTAssertTrue(scraper.store.keys(under: "sourcing/\(group)").isEmpty, "\(fault) stored something")
            await XCTAssertEqualAsync(try await scraper.registry().count(datasetGroup: group), 0, "\(fault) registered something")
        }
        XCTAssertEqual(scraper.store.keys(under: "sourcing/_rejected/\(group)").filter { !$0.hasSuffix(".reason.json.gz") }.count,
                       faults.count, "each refused payload is kept for an operator")
    }

    func testLiveShapeIsAcceptedAndADateMismatchSaysTheFeedIgnoresParameters() async throws {
        _ = try sim.configure([("shape", "live")])
        let snapshot = try run([])
        XCTAssertEqual(snapshot.status, 0, snapshot.transcript)
        XCTAssertEqual(snapshot.count("collected"), 1)
        let mismatch = try run(["--date", "2025-01-15"])
        XCTAssertEqual(mismatch.status, 1, mismatch.transcript)
        XCTAssertTrue(mismatch.errors.first?.contains("ignores query parameters") == true, "\(mismatch.errors)")
        XCTAssertTrue(mismatch.errors.first?.contains("[live_filters_ignored]") == true, "\(mismatch.errors)")
        // Filters too: the live answer is not stored under a filtered name (or filtered metadata).
        let filtered = try run(["--interval", "14:35", "--node", "MISO.PJM.INTERFACE1"])
        XCTAssertEqual(filtered.status, 1, filtered.transcript)
        XCTAssertTrue(filtered.errors.first?.contains("[live_filters_ignored]") == true, "\(filtered.errors)")
        XCTAssertEqual(scraper.store.keys(under: "sourcing/\(group)").filter { $0.contains("int1435") }, [],
                       "nothing stored under the filtered name")
    }

    func testRedisDBWithoutARedisRegistryIsRefusedBeforeAnyRequest() async throws {
        let result = try run(["--date", "2025-01-20", "--redis-db", "3"])
        XCTAssertEqual(result.status, 64, result.transcript)
        XCTAssertTrue(result.stderr.contains("--redis-db 3 has no effect"), result.stderr)
        XCTAssertTrue(result.stderr.contains("--redis-host"), "the message names the fix: \(result.stderr)")
        XCTAssertEqual(try sim.stats().requests, 0)
        XCTAssertEqual(scraper.store.keys(), [])
    }

    func testBadArgumentsAreRefusedBeforeAnyRequest() async throws {
        for args in [["--date", "2025-02-30"], ["--date", "2025-01-20", "--interval", "14:37"],
                     ["--date", "2025-01-20", "--interval", "24:00"], ["--start-date", "2025-01-22", "--end-date", "2025-01-20"],
                     ["--start-date", "2025-01-22"], ["--date", "20250120"]] {
            let result = try run(args)
            XCTAssertEqual(result.status, 64, "\(args): \(result.transcript)")
            XCTAssertFalse(result.stderr.isEmpty)
            XCTAssertFalse(result.stderr.contains("Fatal error"), result.stderr)
        }
        let unknown = try scraper.run(["run", "no-such-collector"])
        XCTAssertEqual(unknown.status, 64, unknown.transcript)
        XCTAssertTrue(unknown.stderr.contains("unknown collector"), unknown.stderr)
        XCTAssertTrue(unknown.stderr.contains(#"unknown collector "no-such-collector"; known: "#), "the name, then what is known: \(unknown.stderr)")
        XCTAssertEqual(try sim.stats().requests, 0, "nothing was fetched")
    }

    func testTransientFailuresAreRetriedAndServerErrorsReported() async throws {
        try scraper.writeConfig("""
        defaults:
          retry: {max_attempts: 3, base_delay: 0.05, max_delay: 0.2}
        collectors:
          miso-cts: {type: miso.cts}
        """)
        try sim.setFault("http-503", count: 2)
        let recovered = try run(["--date", "2025-01-20"])
        XCTAssertEqual(recovered.status, 0, recovered.transcript)
        XCTAssertEqual(recovered.count("collected"), 1)
        try sim.resetStats()
        try sim.setFault("http-404", count: 0)
        let notFound = try run(["--date", "2025-01-19"])
        XCTAssertEqual(notFound.status, 1)
        XCTAssertEqual(try sim.stats().requests, 1, "4xx is not retried")
        XCTAssertTrue(notFound.errors.first?.contains("HTTP 404") == true, "\(notFound.errors)")
    }

    func testRegistryUnreachableStopsBeforeAnyDownload() async throws {
        let result = try run(["--date", "2025-01-20", "--redis-host", "127.0.0.1", "--redis-port", String(Loopback.freePort()),
                               "--allow-mixed-sharing"])
        XCTAssertEqual(result.status, 69, result.transcript)
        XCTAssertTrue(result.stderr.contains("cannot connect to Redis"), result.stderr)
        XCTAssertEqual(try sim.stats().requests, 0)
    }

    func testListShowsTheCollectorTypes() async throws {
        let result = try scraper.run(["list"])
        XCTAssertEqual(result.status, 0, result.transcript)
        XCTAssertTrue(result.stdout.contains("miso.cts"), result.stdout)
    }
}
