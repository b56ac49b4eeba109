import CollectionFramework
import TestSupport
import XCTest

/// The built `scraper` with all three MISO collectors against the simulator: listed, run alone,
/// run together with `run --all` in one process, and one collector's failure leaving the others be.
final class AllCollectorsEndToEndTests: XCTestCase {
    var sim: MisoSimulatorProcess!
    var scraper: ScraperInvocation!

    /// Instance name, simulator path, dataset group and identifier prefix of each collector.
    struct Feed {
        var name: String
        var path: String
        var group: String
        var prefix: String
    }

    let feeds = [
        Feed(name: "miso-cts", path: MisoSimulatorProcess.ctsPath, group: "miso_coordinated_transaction_scheduling", prefix: "cts"),
        Feed(name: "miso-exante-lmp", path: MisoSimulatorProcess.exAntePath, group: "miso_exante_lmp", prefix: "exante_lmp"),
        Feed(name: "miso-binding-constraints", path: MisoSimulatorProcess.bindingPath, group: "miso_binding_constraints_realtime",
             prefix: "binding_constraints"),
    ]
    var exAnte: Feed { feeds[1] }
    var binding: Feed { feeds[2] }

    override func setUpWithError() throws {
        sim = try MisoSimulatorProcess(arguments: ["--nodes", "3"])
        scraper = ScraperInvocation()
    }

    override func tearDown() {
        sim?.stop()
        if let directory = scraper?.directory { try? FileManager.default.removeItem(at: directory) }
    }

    func runAlone(_ feed: Feed, _ extra: [String] = []) throws -> ScraperResult {
        try scraper.run(["run", feed.name, "--api-url", sim.url(feed.path), "--rate-limit", "0", "--log-format", "json"] + extra)
    }

    /// A collectors.yaml in the working directory pointing every collector at the simulator.
    func writeConfigForAll() throws {
        var yaml = """
        defaults:
          retry: {max_attempts: 2, base_delay: 0.05, max_delay: 0.1}
        collectors:

        """
        for feed in feeds {
            let type = feed.name == "miso-cts" ? "miso.cts" : feed.name == exAnte.name ? "miso.exante_lmp" : "miso.binding_constraints"
            yaml += """
              \(feed.name):
                type: \(type)
                enabled: true
                api_url: \(sim.url(feed.path))
                http: {rate_limit_per_minute: 0}

            """
        }
        try scraper.writeConfig(yaml)
    }

    /// The one stored key of `feed`, checked against the snapshot naming.
    func storedKey(_ feed: Feed, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let keys = scraper.store.keys(under: "sourcing/\(feed.group)/")
        XCTAssertEqual(keys.count, 1, "\(keys)", file: file, line: line)
        let key = try XCTUnwrap(keys.first, file: file, line: line)
        let pattern = #"^sourcing/\#(feed.group)/year=\d{4}/month=\d{2}/day=\d{2}/\#(feed.prefix)_snapshot_\d{8}_\d{4}\.json\.gz$"#
        XCTAssertNotNil(key.range(of: pattern, options: .regularExpression), key, file: file, line: line)
        return key
    }

    /// The per-collector summaries of a `run --all`, by collector name.
    func perCollector(_ result: ScraperResult) throws -> [String: JSONObject] {
        guard case .array(let items)? = result.summary?["collectors"] else {
            XCTFail("no collectors array in the summary: \(result.transcript)")
            return [:]
        }
        var out: [String: JSONObject] = [:]
        for case .object(let o) in items { out[o["collector"]?.stringValue ?? "?"] = o }
        return out
    }

    func testListShowsTheThreeCollectorTypesAndTheirDefaultInstances() async throws {
        let result = try scraper.run(["list"])
        XCTAssertEqual(result.status, 0, result.transcript)
        for type in ["miso.cts", "miso.exante_lmp", "miso.binding_constraints"] {
            XCTAssertTrue(result.stdout.contains("  \(type) "), "\(type) missing: \(result.stdout)")
        }
        for feed in feeds { XCTAssertTrue(result.stdout.contains(feed.name), "\(feed.name) missing: \(result.stdout)") }
    }

    func testEachNewCollectorRunsAloneStoresExactlyWhatWasServedThenSkips() async throws {
        for feed in [exAnte, binding] {
            let result = try runAlone(feed)
            XCTAssertEqual(result.status, 0, result.transcript)
            XCTAssertEqual(result.count("collected"), 1, result.transcript)
            let key = try storedKey(feed)
            let served = try sim.get(feed.path).body
            await XCTAssertEqualAsync(try Gzip.decompress(try await XCTUnwrapAsync(await scraper.store.get(key: key))), served)
            let record = try await XCTUnwrapAsync(await scraper.registry().get(sha256: ContentHash.sha256Hex(served), datasetGroup: feed.group))
            XCTAssertTrue(record.location.hasSuffix(key), record.location)
            XCTAssertEqual(record.metadata["collection_mode"], .string("snapshot"))

            let again = try runAlone(feed)
            XCTAssertEqual(again.status, 0, again.transcript)
            XCTAssertEqual(again.count("skipped_duplicate"), 1, "the same content is not stored twice: \(again.transcript)")
        }
    }

    func testNothingBindingFormIsStored() async throws {
        try sim.configure([("binding_none", "true")])
        let result = try runAlone(binding)
        XCTAssertEqual(result.status, 0, result.transcript)
        XCTAssertEqual(result.count("collected"), 1, result.transcript)
        let body = try Gzip.decompress(try await XCTUnwrapAsync(await scraper.store.get(key: try storedKey(binding))))
        XCTAssertTrue(String(decoding: body, as: UTF8.self).contains(#""Name":"None""#) || String(decoding: body, as: UTF8.self).contains(#""Name": "None""#),
                      String(decoding: body, as: UTF8.self))
    }

    func testEveryPayloadFaultFailsItsRuleAndStoresNothing() async throws {
        let cases: [(Feed, String, String)] = [
            (exAnte, "exante-duplicate-hub", "exante_hub_names_unique"), (exAnte, "exante-bad-refid", "exante_refid"),
            (exAnte, "exante-no-hubs", "exante_hubs_present"), (exAnte, "exante-bad-number", "exante_price_numeric"),
            (exAnte, "exante-hour-mismatch", "exante_hour_matches_refid"), (exAnte, "html", "json_structure"),
            (binding, "binding-bad-period", "binding_period"), (binding, "binding-bad-price", "binding_price_numeric"),
            (binding, "html", "json_structure"),
        ]
        for (feed, fault, rule) in cases {
            try sim.setFault(fault, count: 1)
            let result = try runAlone(feed)
            XCTAssertEqual(result.status, 1, "\(fault): \(result.transcript)")
            XCTAssertEqual(result.count("failed"), 1, "\(fault): \(result.transcript)")
            XCTAssertTrue(result.errors.first?.contains("[\(rule)]") == true, "\(fault) should fail \(rule): \(result.errors)")
            XCTAssertTrue(scraper.store.keys(under: "sourcing/\(feed.group)/").isEmpty, "\(fault) stored something")
            await XCTAssertEqualAsync(try await scraper.registry().count(datasetGroup: feed.group), 0, "\(fault) registered something")
        }
    }

    func testDatesAreRefusedAsSnapshotOnlyBeforeAnyRequest() async throws {
        for feed in [exAnte, binding] {
            for args in [["--date", "2026-07-27"], ["--start-date", "2026-07-20", "--end-date", "2026-07-27"]] {
                let result = try runAlone(feed, args)
                XCTAssertEqual(result.status, 64, "\(feed.name) \(args): \(result.transcript)")
                XCTAssertTrue(result.stderr.contains("snapshot-only feed"), result.stderr)
            }
        }
        XCTAssertEqual(try sim.stats().requests, 0, "nothing was fetched")
    }

    func testRunAllRunsTheThreeCollectorsInOneProcessWithAPerCollectorSummary() async throws {
        try writeConfigForAll()
        let result = try scraper.run(["run", "--all", "--log-format", "json"])
        XCTAssertEqual(result.status, 0, result.transcript)
        XCTAssertEqual(result.count("collected"), 3, result.transcript)
        let summaries = try perCollector(result)
        XCTAssertEqual(Set(summaries.keys), Set(feeds.map(\.name)))
        for feed in feeds {
            XCTAssertEqual(summaries[feed.name]?["collected"], .int(1), "\(feed.name): \(result.transcript)")
            _ = try storedKey(feed)
        }
        let byPath = try sim.stats().byPath
        for feed in feeds { XCTAssertEqual(byPath[feed.path], 1, "\(feed.path) in \(byPath)") }
    }

    func testOneCollectorsFailureDoesNotStopTheOthers() async throws {
        try writeConfigForAll()
        try sim.setFault("exante-duplicate-hub", count: 0)
        let result = try scraper.run(["run", "--all", "--log-format", "json"])
        XCTAssertEqual(result.status, 1, "a failure is reported in the exit status: \(result.transcript)")
        let summaries = try perCollector(result)
        XCTAssertEqual(summaries[exAnte.name]?["failed"], .int(1), result.transcript)
        XCTAssertEqual(summaries["miso-cts"]?["collected"], .int(1), result.transcript)
        XCTAssertEqual(summaries[binding.name]?["collected"], .int(1), result.transcript)
        XCTAssertTrue(result.errors.contains { $0.contains("[exante_hub_names_unique]") }, "\(result.errors)")
        guard case .array(let errors)? = result.summary?["errors"], case .object(let first)? = errors.first else {
            return XCTFail("no errors in \(result.transcript)")
        }
        XCTAssertEqual(first["collector"], .string(exAnte.name), "the combined error names its collector")
        XCTAssertTrue(scraper.store.keys(under: "sourcing/\(exAnte.group)/").isEmpty)
        _ = try storedKey(binding)
        _ = try storedKey(feeds[0])
    }
}
