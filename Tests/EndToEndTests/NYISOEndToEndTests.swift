import CollectionFramework
import Foundation
import TestSupport
import XCTest

/// The built `scraper` running the NYISO collectors against the simulator's NYISO feed: today's
/// growing file, a range across both DST days from the monthly ZIP, and every NYISO fault.
final class NYISOEndToEndTests: XCTestCase {
    var sim: MisoSimulatorProcess!
    var scraper: ScraperInvocation!
    let group = "nyiso_rt_zonal_lbmp"
    let eastern = TimeZone(identifier: "America/New_York")!
    /// Today in New York, as the collector sees it.
    var today: CalendarDate { CalendarDate(Date(), in: eastern) }

    /// Noon of `today` in New York, as the simulator's clock.
    var noon: Date { MarketDay(today, timeZone: eastern).start.addingTimeInterval(12 * 3600) }

    override func setUpWithError() throws {
        sim = try MisoSimulatorProcess(arguments: ["--now", UTCTimestamp.iso8601(noon)])
        scraper = ScraperInvocation()
    }

    override func tearDown() {
        sim?.stop()
        if let directory = scraper?.directory { try? FileManager.default.removeItem(at: directory) }
    }

    var base: String { sim.url("/public/csv") }

    func run(_ extra: [String], collector: String = "nyiso-rt-zonal-lbmp") throws -> ScraperResult {
        try scraper.run(["run", collector, "--api-url", base, "--rate-limit", "0", "--log-format", "json"] + extra)
    }

    func stored(_ day: CalendarDate, _ name: String, group: String? = nil) async throws -> String? {
        let key = StorageKey.object(datasetGroup: group ?? self.group, date: day, identifier: name)
        guard let body = try await scraper.store.get(key: key) else { return nil }
        return String(decoding: try Gzip.decompress(body), as: UTF8.self)
    }

    func dataLines(_ text: String) -> Int { text.split(separator: "\r\n").count - 1 }

    func day(_ text: String) -> CalendarDate { CalendarDate(iso: text)! }

    func testTodaysFileIsStoredOncePerDistinctStateWithItsAdvisoryTailAsAWarning() async throws {
        let first = try run(["--log-level", "info"])
        XCTAssertEqual(first.status, 0, first.transcript)
        XCTAssertEqual(first.count("collected"), 1, first.transcript)
        XCTAssertTrue(first.stderr.contains("nyiso_advisory_rows"), first.transcript)
        let name = "\(today.compact)realtime_zone.csv"
        let text = try await XCTUnwrapAsync(await stored(today, name))
        XCTAssertEqual(text, String(decoding: try sim.get("/public/csv/realtime/\(name)").body, as: UTF8.self))
        XCTAssertTrue(text.contains("\"\(String(format: "%02d/%02d/%04d", today.month, today.day, today.year)) 12:00:00\""), "RTD rows through noon")

        let again = try run([])
        XCTAssertEqual(again.count("skipped_duplicate"), 1, again.transcript)

        _ = try sim.configure([("now", UTCTimestamp.iso8601(noon.addingTimeInterval(1800)))])
        let later = try run([])
        XCTAssertEqual(later.count("collected"), 1, later.transcript)
        let keys = scraper.store.keys(under: StorageKey.folder(datasetGroup: group, date: today))
        XCTAssertEqual(keys.count, 2, "both states of today's file are kept: \(keys)")
        let registered = try await scraper.registry().count(datasetGroup: group)
        XCTAssertEqual(registered, 2)
    }

    func testARangeAcrossBothDSTDaysComesFromOneMonthlyZipPerMonth() async throws {
        let autumn = try run(["--start-date", "2025-11-01", "--end-date", "2025-11-03"])
        XCTAssertEqual(autumn.status, 0, autumn.transcript)
        XCTAssertEqual(autumn.count("collected"), 3, autumn.transcript)
        let fallBack = try await XCTUnwrapAsync(await stored(day("2025-11-02"), "20251102realtime_zone.csv"))
        XCTAssertEqual(dataLines(fallBack), 300 * 15, "the 25-hour day has 300 intervals")
        XCTAssertEqual(fallBack.components(separatedBy: "\"11/02/2025 01:05:00\",\"CAPITL\"").count - 1, 2, "its 01:05 stamp repeats")
        let normal = try await XCTUnwrapAsync(await stored(day("2025-11-01"), "20251101realtime_zone.csv"))
        XCTAssertEqual(dataLines(normal), 288 * 15)
        XCTAssertEqual(try sim.stats().byPath["/public/csv/realtime/20251101realtime_zone_csv.zip"], 1, "one archive download for three days")

        let spring = try run(["--date", "2025-03-09"])
        XCTAssertEqual(spring.count("collected"), 1, spring.transcript)
        let springText = try await XCTUnwrapAsync(await stored(day("2025-03-09"), "20250309realtime_zone.csv"))
        XCTAssertEqual(dataLines(springText), 276 * 15)

        let dayAhead = try run(["--start-date", "2025-03-09", "--end-date", "2025-03-10"], collector: "nyiso-da-zonal-lbmp")
        XCTAssertEqual(dayAhead.count("collected"), 2, dayAhead.transcript)
        let springHours = try await XCTUnwrapAsync(await stored(day("2025-03-09"), "20250309damlbmp_zone.csv", group: "nyiso_da_zonal_lbmp"))
        XCTAssertEqual(dataLines(springHours), 23 * 15)
    }

    func testQuirksAreStoredWithWarningsInTheRegistryUnlessMadeErrors() async throws {
        let recent = MarketDay(today, timeZone: eastern).start.addingTimeInterval(-2 * 86_400 + 7200)
        let date = CalendarDate(recent, in: eastern)
        try sim.setFault("nyiso-off-grid")
        let metrics = scraper.directory.appendingPathComponent("metrics.prom").path
        let result = try run(["--date", date.description, "--metrics-file", metrics])
        XCTAssertEqual(result.count("collected"), 1, result.transcript)
        let exposition = try String(contentsOfFile: metrics, encoding: .utf8)
        XCTAssertTrue(exposition.split(separator: "\n").contains { $0.hasPrefix("scraper_validation_warnings_total{") && $0.contains("rule=\"nyiso_off_grid_stamp\"") && $0.hasSuffix(" 1") },
                      exposition)
        let body = try sim.get("/public/csv/realtime/\(date.compact)realtime_zone.csv").body
        let record = try await XCTUnwrapAsync(await scraper.registry().get(sha256: ContentHash.sha256Hex(body), datasetGroup: group))
        let warnings = try XCTUnwrap(record.metadata["validation_warnings"], "\(record.metadata)")
        XCTAssertTrue("\(warnings)".contains("nyiso_off_grid_stamp"), "\(warnings)")

        try scraper.writeConfig("""
            collectors:
              nyiso-rt-zonal-lbmp:
                type: nyiso.rt_zonal_lbmp
                api_url: \(base)
                rule_severity: {nyiso_off_grid_stamp: error}
            """)
        let strict = try scraper.run(["run", "nyiso-rt-zonal-lbmp", "--date", date.description, "--force", "--rate-limit", "0"])
        XCTAssertNotEqual(strict.status, 0, strict.transcript)
        XCTAssertEqual(strict.count("rejected"), 1, strict.transcript)
        XCTAssertTrue(strict.errors.joined().contains("nyiso_off_grid_stamp"), strict.transcript)

        try scraper.writeConfig("""
            collectors:
              nyiso-rt-zonal-lbmp:
                type: nyiso.rt_zonal_lbmp
                rule_severity: {no_such_rule: warning}
            """)
        let unknown = try scraper.run(["run", "nyiso-rt-zonal-lbmp", "--date", date.description])
        XCTAssertEqual(unknown.status, 64, unknown.transcript)
        XCTAssertTrue(unknown.stderr.contains("no_such_rule") && unknown.stderr.contains("nyiso_off_grid_stamp"), unknown.transcript)
        let check = try scraper.run(["config", "check"])
        XCTAssertEqual(check.status, 64, check.transcript)
        XCTAssertTrue(check.stderr.contains("collectors.nyiso-rt-zonal-lbmp.rule_severity names unknown rule(s) no_such_rule"), check.transcript)
    }

    func testEachNYISOFaultEndsAsTheReferenceSays() async throws {
        let recent = CalendarDate(MarketDay(today, timeZone: eastern).start.addingTimeInterval(-3 * 86_400 + 7200), in: eastern)

        try sim.setFault("nyiso-old-header", count: 1)
        let old = try run(["--date", recent.description])
        XCTAssertEqual(old.count("collected"), 1, old.transcript)

        try sim.setFault("nyiso-partial", count: 1)
        let partial = try run(["--date", recent.description, "--force"])
        XCTAssertEqual(partial.count("rejected"), 1, partial.transcript)
        XCTAssertEqual(partial.status, 1, partial.transcript)

        // The daily file answers 404: the monthly ZIP of the month holds the day.
        try sim.setFault("http-404", count: 1)
        let fallback = try run(["--date", recent.description, "--force"])
        XCTAssertEqual(fallback.count("collected"), 1, fallback.transcript)

        try sim.setFault("nyiso-zip-missing-day")
        let gap = try run(["--start-date", "2025-10-14", "--end-date", "2025-10-16"])
        XCTAssertEqual(gap.status, 0, gap.transcript)
        XCTAssertEqual(gap.count("collected"), 2, gap.transcript)
        XCTAssertEqual(gap.count("not_published"), 1, gap.transcript)
        XCTAssertTrue(gap.stdout.contains("20251015realtime_zone.csv is not in"), gap.transcript)

        try sim.setFault("zip-truncated")
        let truncated = try run(["--date", "2025-09-30"])
        XCTAssertEqual(truncated.count("failed"), 1, truncated.transcript)
        XCTAssertTrue(truncated.errors.joined().contains("truncated"), truncated.transcript)
        XCTAssertEqual(scraper.store.keys(under: StorageKey.folder(datasetGroup: group, date: day("2025-09-30"))), [])

        try sim.setFault("zip-bad-central-directory")
        let recovered = try run(["--date", "2025-08-20"])
        XCTAssertEqual(recovered.count("collected"), 1, recovered.transcript)
        let text = try await XCTUnwrapAsync(await stored(day("2025-08-20"), "20250820realtime_zone.csv"))
        XCTAssertEqual(dataLines(text), 288 * 15)
    }
}
