import CollectionFramework
import Foundation
import TestSupport
import XCTest

/// The built `scraper` running `caiso.lmp` and `spp.rt_lmp` against the simulator: DST days, each
/// fault of the reference with its outcome, CAISO's 5-second rule, and `run --all` with MISO and
/// every ISO collector in one process.
final class CAISOAndSPPEndToEndTests: XCTestCase {
    var sim: MisoSimulatorProcess!
    var scraper: ScraperInvocation!
    static let caisoPath = "/oasisapi/SingleZip"
    static let sppPath = "/file-browser-api/download/rtbm-lmp-by-location"

    override func setUpWithError() throws {
        // CAISO's 5-second referee is off here (each run is its own process); the tests of the limit turn it on.
        sim = try MisoSimulatorProcess(arguments: ["--spp-locations", "4", "--caiso-nodes", "6", "--caiso-min-interval", "0"])
        scraper = ScraperInvocation()
    }

    override func tearDown() {
        sim?.stop()
        if let directory = scraper?.directory { try? FileManager.default.removeItem(at: directory) }
    }

    func caiso(_ extra: [String], name: String = "caiso-lmp") throws -> ScraperResult {
        try scraper.run(["run", name, "--api-url", sim.url(Self.caisoPath), "--log-format", "json"] + extra, timeout: 240)
    }

    func spp(_ extra: [String]) throws -> ScraperResult {
        try scraper.run(["run", "spp-rt-lmp", "--api-url", sim.url(Self.sppPath), "--rate-limit", "0", "--log-format", "json"] + extra)
    }

    func stored(_ group: String, _ day: String, _ name: String) async throws -> String? {
        let key = StorageKey.object(datasetGroup: group, date: CalendarDate(iso: day)!, identifier: name)
        guard let body = try await scraper.store.get(key: key) else { return nil }
        return String(decoding: try Gzip.decompress(body), as: UTF8.self)
    }

    func rows(_ text: String) -> [Substring] { text.split(separator: "\n").dropFirst().map { $0 } }

    // MARK: - CAISO

    func testCAISOTradingDaysAcrossBothDSTChangesOneRequestEveryFiveSeconds() async throws {
        sim.stop()
        sim = try MisoSimulatorProcess(arguments: ["--caiso-min-interval", "5"])
        let result = try caiso(["--start-date", "2025-11-01", "--end-date", "2025-11-03", "--param", "market=DAM"])
        XCTAssertEqual(result.status, 0, result.transcript)
        XCTAssertEqual(result.count("collected"), 3, result.transcript)
        let autumn = try await XCTUnwrapAsync(await stored("caiso_lmp", "2025-11-02", "caiso_lmp_DAM_20251102.csv"))
        XCTAssertEqual(rows(autumn).count, 25 * 3 * 5, "25 hours × 3 hubs × 5 price types")
        XCTAssertTrue(autumn.contains("2025-11-02T07:00:00-00:00,2025-11-02T08:00:00-00:00,2025-11-02,1,"), "the PDT day starts 07:00Z")
        let stats = try sim.stats()
        let times = stats.requestTimes.sorted()
        XCTAssertEqual(times.count, 3, "no 429 from the simulator's referee: \(result.transcript)")
        for (a, b) in zip(times, times.dropFirst()) { XCTAssertGreaterThanOrEqual(b - a, 4.75, "CAISO asks for 5 s between requests") }

        let spring = try caiso(["--date", "2025-03-09", "--param", "market=DAM"])
        XCTAssertEqual(spring.count("collected"), 1, spring.transcript)
        let springText = try await XCTUnwrapAsync(await stored("caiso_lmp", "2025-03-09", "caiso_lmp_DAM_20250309.csv"))
        XCTAssertEqual(rows(springText).count, 23 * 3 * 5)
        XCTAssertTrue(springText.contains("2025-03-09T08:00:00-00:00,2025-03-09T09:00:00-00:00,2025-03-09,1,"), "the PST day starts 08:00Z")
    }

    func testCAISOAnswersInsideTheZipEndAsTheReferenceSays() async throws {
        try sim.setFault("caiso-no-data", count: 1)
        let none = try caiso(["--date", "2025-01-20"])
        XCTAssertEqual(none.status, 0, "no data is not a failure: \(none.transcript)")
        XCTAssertEqual(none.count("not_published"), 1, none.transcript)
        XCTAssertTrue(none.stdout.contains("code 1000"), none.transcript)

        try sim.setFault("caiso-invalid-request", count: 1)
        let refused = try caiso(["--date", "2025-01-21"])
        XCTAssertEqual(refused.count("failed"), 1, refused.transcript)
        XCTAssertTrue(refused.errors.joined().contains("code 1002"), refused.transcript)

        try sim.setFault("xml-error-200", count: 1)
        let page = try caiso(["--date", "2025-01-22"])
        XCTAssertEqual(page.count("failed"), 1, page.transcript)
        XCTAssertTrue(page.errors.joined().contains("not a ZIP archive"), page.transcript)

        try sim.setFault("zip-truncated", count: 1)
        let cut = try caiso(["--date", "2025-01-23"])
        XCTAssertEqual(cut.count("failed"), 1, cut.transcript)
        XCTAssertTrue(cut.errors.joined().contains("truncated"), cut.transcript)

        try sim.setFault("zip-bad-central-directory", count: 1)
        let recovered = try caiso(["--date", "2025-01-24"])
        XCTAssertEqual(recovered.count("collected"), 1, recovered.transcript)

        // A 429 page asks for 5 seconds in words; the retry waits that long and succeeds.
        try sim.setFault("caiso-429", count: 1)
        let started = Date()
        let throttled = try caiso(["--date", "2025-01-25"])
        XCTAssertEqual(throttled.count("collected"), 1, throttled.transcript)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 5)
        XCTAssertEqual(try sim.stats().faultsApplied, 6)
    }

    func testTwoProcessesSharingRedisKeepCAISOsFiveSecondsBetweenThem() throws {
        let oasis = try MisoSimulatorProcess(arguments: ["--caiso-min-interval", "5"])
        let redis = try RedisServer()
        defer { oasis.stop(); redis.stop() }
        let runs = (0..<2).map { _ in ScraperInvocation() }
        defer { runs.forEach { try? FileManager.default.removeItem(at: $0.directory) } }
        let children = try runs.enumerated().map { index, scraper in
            try scraper.start(["run", "caiso-lmp", "--date", index == 0 ? "2025-01-20" : "2025-01-21", "--param", "market=\(index == 0 ? "DAM" : "RTPD")",
                               "--api-url", oasis.url(Self.caisoPath), "--log-format", "json",
                               "--redis-host", "127.0.0.1", "--redis-port", String(redis.port), "--allow-mixed-sharing"])
        }
        for child in children { XCTAssertEqual(child.wait(timeout: 120), 0, child.stderr) }
        let times = try oasis.stats().requestTimes.sorted()
        XCTAssertEqual(times.count, 2, "no request was refused by the referee and retried")
        XCTAssertGreaterThanOrEqual(times[1] - times[0], 4.75, "the two processes paced each other through Redis")
    }

    // MARK: - SPP

    func testSPPDaysHaveOneObjectPerIntervalFileWithTheFallBackHourSuffixed() async throws {
        let autumn = try spp(["--date", "2025-11-02"])
        XCTAssertEqual(autumn.status, 0, autumn.transcript)
        XCTAssertEqual(autumn.count("collected"), 300, autumn.transcript)
        let keys = scraper.store.keys(under: StorageKey.folder(datasetGroup: "spp_rt_lmp", date: CalendarDate(iso: "2025-11-02")!))
        XCTAssertEqual(keys.count, 300)
        XCTAssertEqual(keys.filter { $0.hasSuffix("d.csv.gz") }.count, 12, "the repeated hour's files")
        // The interval ending at midnight is named for the next day and filed under this one.
        XCTAssertTrue(keys.contains { $0.hasSuffix("/day=02/RTBM-LMP-SL-202511030000.csv.gz") }, "\(keys.suffix(3))")
        let spring = try spp(["--date", "2025-03-09"])
        XCTAssertEqual(spring.count("collected"), 276, spring.transcript)
    }

    func testAMissingSPPIntervalIsReportedNotFailedAndTheBAAColumnMayMove() async throws {
        try sim.setFault("spp-missing-interval")
        let metrics = scraper.directory.appendingPathComponent("metrics.prom").path
        let gap = try spp(["--date", "2025-01-20", "--metrics-file", metrics])
        let exposition = try String(contentsOfFile: metrics, encoding: .utf8)
        XCTAssertTrue(exposition.split(separator: "\n").contains { $0.hasPrefix("scraper_candidates_total{") && $0.contains("outcome=\"not_published\"") && $0.hasSuffix(" 1") },
                      exposition)
        XCTAssertEqual(gap.status, 0, gap.transcript)
        XCTAssertEqual(gap.count("collected"), 287, gap.transcript)
        XCTAssertEqual(gap.count("not_published"), 1, gap.transcript)
        XCTAssertTrue(gap.stdout.contains("RTBM-LMP-SL-202501201030.csv"), gap.transcript)

        try sim.setFault("spp-baa-third")
        let moved = try spp(["--date", "2025-01-21"])
        XCTAssertEqual(moved.count("collected"), 288, moved.transcript)
        let text = try await XCTUnwrapAsync(await stored("spp_rt_lmp", "2025-01-21", "RTBM-LMP-SL-202501211200.csv"))
        XCTAssertTrue(text.hasPrefix("Interval,GMTIntervalEnd,BAA,"), text)
    }

    // MARK: - Export

    func testExportGivesTidyRowsInUTCForEachISO() throws {
        XCTAssertEqual(try spp(["--date", "2025-11-02"]).count("collected"), 300)
        let spp = try scraper.run(["export", "spp-rt-lmp", "--date", "2025-11-02", "--format", "csv"])
        XCTAssertEqual(spp.status, 0, spp.transcript)
        let sppLines = spp.stdout.split(whereSeparator: \.isNewline)  // CSV lines end CRLF
        XCTAssertEqual(sppLines.count, 1 + 300 * 4, spp.stderr)
        XCTAssertTrue(sppLines[0].hasPrefix("interval_start_utc,interval_end_utc,interval_end_central,location,"), "\(sppLines[0])")
        XCTAssertEqual(sppLines.filter { $0.contains(",11/02/2025 01:05:00,AECI,") }.count, 2, "the two passes of 01:05")
        XCTAssertEqual(Set(sppLines.dropFirst().map { $0.prefix(20) }).count, 300, "300 distinct UTC intervals")

        XCTAssertEqual(try caiso(["--date", "2025-11-02"]).count("collected"), 1)
        let caiso = try scraper.run(["export", "caiso-lmp", "--date", "2025-11-02", "--format", "csv"])
        XCTAssertEqual(caiso.status, 0, caiso.transcript)
        let caisoLines = caiso.stdout.split(whereSeparator: \.isNewline)  // CSV lines end CRLF
        XCTAssertEqual(caisoLines.count, 1 + 25 * 3, "the long format pivoted: one row per hour and hub")
        XCTAssertTrue(caisoLines[1].hasPrefix("2025-11-02T07:00:00Z,2025-11-02T08:00:00Z,2025-11-02,1,DAM,TH_NP15_GEN-APND,"), "\(caisoLines[1])")
        let fields = caisoLines[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let parts = fields[6...10].map { Double($0)! }
        XCTAssertEqual(parts[0], parts[1] + parts[2] + parts[3] + parts[4], accuracy: 1e-4, "LMP beside its components: \(fields)")

        let nyisoSim = try MisoSimulatorProcess()
        defer { nyisoSim.stop() }
        let run = try scraper.run(["run", "nyiso-rt-zonal-lbmp", "--date", "2025-11-02", "--api-url", nyisoSim.url("/public/csv"), "--rate-limit", "0"])
        XCTAssertEqual(run.count("collected"), 1, run.transcript)
        let nyiso = try scraper.run(["export", "nyiso-rt-zonal-lbmp", "--date", "2025-11-02", "--format", "csv"])
        XCTAssertEqual(nyiso.status, 0, nyiso.transcript)
        let nyisoLines = nyiso.stdout.split(whereSeparator: \.isNewline).dropFirst().filter { $0.contains(",CAPITL,") }
        XCTAssertEqual(nyisoLines.count, 300)
        XCTAssertEqual(Set(nyisoLines.map { $0.prefix(20) }).count, 300, "the repeated local stamps get distinct UTC times")
        XCTAssertTrue(nyisoLines.contains { $0.hasPrefix("2025-11-02T05:00:00Z,2025-11-02T05:05:00Z,11/02/2025 01:05:00,CAPITL") }, "first pass, EDT")
        XCTAssertTrue(nyisoLines.contains { $0.hasPrefix("2025-11-02T06:00:00Z,2025-11-02T06:05:00Z,11/02/2025 01:05:00,CAPITL") }, "second pass, EST")
    }

    // MARK: - All collectors in one process

    func testListShowsTheSevenTypesWithTheirRulesAndSeverities() throws {
        let result = try scraper.run(["list"])
        XCTAssertEqual(result.status, 0, result.transcript)
        for type in ["miso.cts", "miso.exante_lmp", "miso.binding_constraints", "nyiso.rt_zonal_lbmp", "nyiso.da_zonal_lbmp", "caiso.lmp", "spp.rt_lmp"] {
            XCTAssertTrue(result.stdout.contains("  \(type) "), "\(type): \(result.stdout)")
        }
        XCTAssertTrue(result.stdout.contains("rule nyiso_off_grid_stamp (warning):"), result.stdout)
        XCTAssertTrue(result.stdout.contains("rule caiso_interval_count (error):"), result.stdout)
        XCTAssertTrue(result.stdout.contains("--param market=one of DAM, RTPD, RTM"), result.stdout)
    }

    func testRunAllWithMISOAndEveryISOCollectorHoldsThePerHostAndCAISOLimits() async throws {
        // CAISO is served by a second simulator (the same host, 127.0.0.1) so that each one's request log
        // is one limit's: the host's 600 a minute, and CAISO's one per 5 s.
        let sim = try MisoSimulatorProcess(arguments: ["--nodes", "2", "--spp-locations", "3"])
        let oasis = try MisoSimulatorProcess(arguments: ["--caiso-nodes", "4"])
        defer { sim.stop(); oasis.stop() }
        try scraper.writeConfig("""
            defaults:
              http: {rate_limit_per_minute: 600}
              retry: {max_attempts: 2, base_delay: 0.05, max_delay: 0.1}
            collectors:
              miso-cts: {type: miso.cts, api_url: "\(sim.url("/api/CoordinatedTransactionScheduling"))"}
              miso-exante-lmp: {type: miso.exante_lmp, api_url: "\(sim.url("/api/MarketPricing/GetExAnteLmp"))"}
              miso-binding-constraints: {type: miso.binding_constraints, api_url: "\(sim.url("/api/BindingConstraints/RealTime"))"}
              nyiso-rt: {type: nyiso.rt_zonal_lbmp, api_url: "\(sim.url("/public/csv"))"}
              nyiso-da: {type: nyiso.da_zonal_lbmp, api_url: "\(sim.url("/public/csv"))"}
              caiso-dam: {type: caiso.lmp, api_url: "\(oasis.url(Self.caisoPath))", parameters: {market: DAM}}
              caiso-rtpd: {type: caiso.lmp, api_url: "\(oasis.url(Self.caisoPath))", parameters: {market: RTPD}}
              spp-rt: {type: spp.rt_lmp, api_url: "\(sim.url(Self.sppPath))", parameters: {snapshot_intervals: 3}}
            """)
        let result = try scraper.run(["run", "--all", "--log-format", "json"], timeout: 240)
        guard case .array(let items)? = result.summary?["collectors"] else { return XCTFail("no collectors array: \(result.transcript)") }
        var collectors: [String: JSONObject] = [:]
        for case .object(let o) in items { collectors[o["collector"]?.stringValue ?? "?"] = o }
        XCTAssertEqual(collectors.count, 8, result.transcript)
        // 600 a minute per host is one request per 0.1 s (a little slack for timers).
        let host = try sim.stats()
        XCTAssertEqual(host.requests, 8, "\(host.byPath)")
        XCTAssertLessThanOrEqual(host.maxRequests(inAnyWindowOf: 0.09), 1, "\(host.requestTimes)")
        let caiso = try oasis.stats().requestTimes.sorted()
        XCTAssertEqual(caiso.count, 2)
        XCTAssertGreaterThanOrEqual(caiso[1] - caiso[0], 4.75, "both CAISO collectors share the 5-second rule")
        let statsText = String(decoding: try oasis.get("/_sim/stats").body, as: UTF8.self)
        XCTAssertTrue(statsText.contains("\"caiso_too_fast\":0"), statsText)
        for name in ["miso-cts", "miso-exante-lmp", "miso-binding-constraints", "caiso-dam", "caiso-rtpd"] {
            XCTAssertEqual(collectors[name]?["collected"], .int(1), "\(name): \(result.transcript)")
        }
    }
}
