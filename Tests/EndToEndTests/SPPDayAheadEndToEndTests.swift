import CollectionFramework
import Foundation
import TestSupport
import XCTest

/// The built `scraper` running `spp.da_lmp` against the simulator's SPP day-ahead feed: one object per
/// Central market day across both DST changes, the snapshot's today and tomorrow (the latter 404 until
/// posted), each simulator fault ending as its rule says, a re-posted day replacing the stored one,
/// and `run --all` with both SPP collectors.
final class SPPDayAheadEndToEndTests: XCTestCase {
    static let path = "/file-browser-api/download/da-lmp-by-settlement-location"
    static let rtPath = "/file-browser-api/download/rtbm-lmp-by-location"
    static let group = "spp_da_lmp"
    let central = TimeZone(identifier: "America/Chicago")!
    var sim: MisoSimulatorProcess!
    var scraper: ScraperInvocation!

    /// Today in Chicago, as the collector sees it.
    var today: CalendarDate { CalendarDate(Date(), in: central) }
    /// `hour`:00 of today in Chicago, as the simulator's clock (tomorrow's file is posted at 13:00).
    func todayAt(_ hour: Int) -> Date { MarketDay(today, timeZone: central).start.addingTimeInterval(Double(hour) * 3600) }

    override func setUpWithError() throws {
        sim = try MisoSimulatorProcess(arguments: ["--spp-locations", "4", "--now", UTCTimestamp.iso8601(todayAt(11))])
        scraper = ScraperInvocation()
    }

    override func tearDown() {
        sim?.stop()
        if let directory = scraper?.directory { try? FileManager.default.removeItem(at: directory) }
    }

    func run(_ extra: [String]) throws -> ScraperResult {
        try scraper.run(["run", "spp-da-lmp", "--api-url", sim.url(Self.path), "--rate-limit", "0", "--log-format", "json"] + extra)
    }

    func name(_ day: CalendarDate) -> String { "DA-LMP-SL-\(day.compact)0100.csv" }

    func served(_ day: CalendarDate) throws -> Data {
        try sim.get(Self.path, query: [("path", String(format: "/%04d/%02d/By_Day/", day.year, day.month) + name(day))]).body
    }

    func stored(_ day: CalendarDate) async throws -> String? {
        guard let body = try await scraper.store.get(key: StorageKey.object(datasetGroup: Self.group, date: day, identifier: name(day))) else { return nil }
        return String(decoding: try Gzip.decompress(body), as: UTF8.self)
    }

    func rows(_ text: String) -> [Substring] { Array(text.split(separator: "\n").dropFirst()) }

    func day(_ text: String) -> CalendarDate { CalendarDate(iso: text)! }

    func testTheSimulatorServesEachMarketDayOnceAnd404sWhatSPPWouldNotHave() throws {
        let autumn = String(decoding: try served(day("2025-11-02")), as: UTF8.self)
        XCTAssertTrue(autumn.hasPrefix("Interval,GMTIntervalEnd,Settlement Location,Pnode,LMP,MLC,MCC,MEC,BAA\n"), autumn)
        XCTAssertEqual(rows(autumn).count, 25 * 4)
        XCTAssertEqual(try served(day("2025-11-02")), try served(day("2025-11-02")), "the same bytes every time")
        for path in ["/2025/10/By_Day/DA-LMP-SL-202511020100.csv", "/2025/11/By_Day/DA-LMP-SL-202511020000.csv",
                     "/2025/11/By_Interval/DA-LMP-SL-202511020100.csv", "/\(today.next.next.year)/" + String(format: "%02d", today.next.next.month)
                        + "/By_Day/DA-LMP-SL-\(today.next.next.compact)0100.csv"] {
            XCTAssertEqual(try sim.get(Self.path, query: [("path", path)]).status, 404, path)
        }
        XCTAssertEqual(try sim.get(Self.path).status, 404, "no path")
    }

    func testDaysAcrossBothDSTChangesAreOneObjectEachWith25And23Hours() async throws {
        let autumn = try run(["--start-date", "2025-11-01", "--end-date", "2025-11-03"])
        XCTAssertEqual(autumn.status, 0, autumn.transcript)
        XCTAssertEqual(autumn.count("collected"), 3, autumn.transcript)
        let keys = scraper.store.keys(under: "sourcing/\(Self.group)/")
        XCTAssertEqual(keys, ["year=2025/month=11/day=01/DA-LMP-SL-202511010100.csv.gz", "year=2025/month=11/day=02/DA-LMP-SL-202511020100.csv.gz",
                              "year=2025/month=11/day=03/DA-LMP-SL-202511030100.csv.gz"].map { "sourcing/\(Self.group)/" + $0 }, "\(keys)")
        let fallBack = try await XCTUnwrapAsync(await stored(day("2025-11-02")))
        XCTAssertEqual(fallBack, String(decoding: try served(day("2025-11-02")), as: UTF8.self), "the stored object is the file's own bytes")
        XCTAssertEqual(rows(fallBack).count, 25 * 4)
        XCTAssertEqual(rows(fallBack).filter { $0.hasPrefix("11/02/2025 01:00:00,") }.count, 2 * 4, "hour ending 01:00 twice")
        let normal = try await XCTUnwrapAsync(await stored(day("2025-11-01")))
        XCTAssertEqual(rows(normal).count, 24 * 4)
        let record = try await XCTUnwrapAsync(await scraper.registry().get(sha256: ContentHash.sha256Hex(try served(day("2025-11-02"))), datasetGroup: Self.group))
        XCTAssertEqual(record.metadata["market_day"], .string("2025-11-02"))
        XCTAssertEqual(record.metadata["market_hours"], .int(25))

        let spring = try run(["--date", "2025-03-09"])
        XCTAssertEqual(spring.count("collected"), 1, spring.transcript)
        let springText = try await XCTUnwrapAsync(await stored(day("2025-03-09")))
        XCTAssertEqual(rows(springText).count, 23 * 4)
        XCTAssertFalse(springText.contains("03/09/2025 02:00:00"), "the spring day skips hour ending 02:00")

        let again = try run(["--date", "2025-11-02"])
        XCTAssertEqual(again.count("skipped_duplicate"), 1, "the same file is not stored twice: \(again.transcript)")
    }

    func testASnapshotStoresTodayAndTomorrowOnceSPPHasPostedIt() async throws {
        let morning = try run([])
        XCTAssertEqual(morning.status, 0, "tomorrow not yet posted is no failure: \(morning.transcript)")
        XCTAssertEqual(morning.count("collected"), 1, morning.transcript)
        XCTAssertEqual(morning.count("not_published"), 1, morning.transcript)
        XCTAssertTrue(morning.stdout.contains(name(today.next)), morning.transcript)
        let todays = try await stored(today)
        XCTAssertNotNil(todays, "today's file was posted yesterday")

        _ = try sim.configure([("now", UTCTimestamp.iso8601(todayAt(14)))])
        let afternoon = try run([])
        XCTAssertEqual(afternoon.status, 0, afternoon.transcript)
        XCTAssertEqual(afternoon.count("skipped_duplicate"), 1, afternoon.transcript)
        XCTAssertEqual(afternoon.count("collected"), 1, afternoon.transcript)
        let tomorrow = try await XCTUnwrapAsync(await stored(today.next))
        XCTAssertEqual(tomorrow, String(decoding: try served(today.next), as: UTF8.self))

        let before = try sim.stats().requests
        let future = try run(["--date", today.next.next.description])
        XCTAssertEqual(future.status, 64, future.transcript)
        XCTAssertTrue(future.stderr.contains("no file for \(today.next.next) yet"), future.transcript)
        XCTAssertEqual(try sim.stats().requests, before, "the refused day made no request")
    }

    func testEachFaultEndsAsItsRuleSays() async throws {
        let refused: [(String, String)] = [
            ("spp-da-missing-hour", "spp_da_hour_count"), ("spp-da-duplicate-row", "spp_da_duplicate_row"),
            ("spp-da-bad-price", "spp_da_price"), ("spp-da-wrong-day", "spp_da_gmt_interval"),
            ("spp-da-interval-utc", "spp_da_interval"), ("xml-error-200", "csv_header"), ("html", "csv_header"),
        ]
        for (index, (fault, rule)) in refused.enumerated() {
            let date = day(String(format: "2025-01-%02d", 10 + index))
            try sim.setFault(fault, count: 1)
            let result = try run(["--date", date.description])
            XCTAssertNotEqual(result.status, 0, "\(fault): \(result.transcript)")
            XCTAssertEqual(result.count("rejected"), 1, "\(fault): \(result.transcript)")
            XCTAssertTrue(result.errors.first?.contains("[\(rule)]") == true, "\(fault): \(result.transcript)")
            let kept = try await stored(date)
            XCTAssertNil(kept, "\(fault): nothing stored")
        }

        try sim.setFault("http-404", count: 1)
        let missing = try run(["--date", "2025-01-20"])
        XCTAssertEqual(missing.status, 0, missing.transcript)
        XCTAssertEqual(missing.count("not_published"), 1, missing.transcript)
        XCTAssertTrue(missing.stdout.contains("DA-LMP-SL-202501200100.csv"), missing.transcript)

        for (fault, date) in [("spp-da-no-seconds", "2025-01-21"), ("spp-da-baa-third", "2025-01-22")] {
            try sim.setFault(fault, count: 1)
            let result = try run(["--date", date])
            XCTAssertEqual(result.count("collected"), 1, "\(fault) is a variant SPP may serve: \(result.transcript)")
        }
        let moved = try await XCTUnwrapAsync(await stored(day("2025-01-22")))
        XCTAssertTrue(moved.hasPrefix("Interval,GMTIntervalEnd,BAA,"), moved)
        let noSeconds = try await XCTUnwrapAsync(await stored(day("2025-01-21")))
        XCTAssertTrue(noSeconds.contains("01/21/2025 01:00,01/21/2025 07:00,"), noSeconds)

        // Warnings: stored, noted in the registry record.
        for (fault, date, rule) in [("spp-da-lmp-sum", "2025-01-24", "spp_da_lmp_sum"), ("spp-da-missing-hour", "2025-11-02", "spp_da_dst_hour_count")] {
            try sim.setFault(fault, count: 1)
            let result = try run(["--date", date])
            XCTAssertEqual(result.count("collected"), 1, "\(fault): \(result.transcript)")
            let text = try await XCTUnwrapAsync(await stored(day(date)))
            let record = try await XCTUnwrapAsync(await scraper.registry().get(sha256: ContentHash.sha256Hex(Data(text.utf8)), datasetGroup: Self.group))
            XCTAssertTrue("\(record.metadata["validation_warnings"] ?? .null)".contains(rule), "\(fault): \(record.metadata)")
        }
    }

    func testARepostedDayReplacesTheStoredOneAndRuleSeveritiesApply() async throws {
        let first = try run(["--date", "2025-01-23"])
        XCTAssertEqual(first.count("collected"), 1, first.transcript)
        let original = try served(day("2025-01-23"))
        try sim.setFault("spp-da-lmp-sum", count: 1)
        let reposted = try run(["--date", "2025-01-23"])
        XCTAssertEqual(reposted.count("collected"), 1, "different bytes are a new state: \(reposted.transcript)")
        let key = StorageKey.object(datasetGroup: Self.group, date: day("2025-01-23"), identifier: name(day("2025-01-23")))
        let history = StorageKey.history(of: key, previousSHA256: ContentHash.sha256Hex(original))
        XCTAssertEqual(scraper.store.keys(under: StorageKey.folder(datasetGroup: Self.group, date: day("2025-01-23"))), [key])
        let kept = try await XCTUnwrapAsync(await scraper.store.get(key: history), "the previous state is kept at \(history)")
        XCTAssertEqual(try Gzip.decompress(kept), original)
        let newest = try await XCTUnwrapAsync(await stored(day("2025-01-23")))
        XCTAssertNotEqual(Data(newest.utf8), original, "the key holds the re-posted file")

        try scraper.writeConfig("""
            collectors:
              spp-da-lmp:
                type: spp.da_lmp
                api_url: \(sim.url(Self.path))
                rule_severity: {spp_da_dst_hour_count: error}
            """)
        try sim.setFault("spp-da-missing-hour", count: 1)
        let strict = try scraper.run(["run", "spp-da-lmp", "--date", "2025-03-09", "--rate-limit", "0"])
        XCTAssertEqual(strict.count("rejected"), 1, strict.transcript)
        XCTAssertTrue(strict.errors.joined().contains("[spp_da_dst_hour_count]"), strict.transcript)
        let unknown = try scraper.run(["run", "spp-da-lmp", "--date", "2025-03-09", "--param", "node=X"])
        XCTAssertEqual(unknown.status, 64, unknown.transcript)
    }

    func testRunAllWithBothSPPCollectors() async throws {
        // The simulator's real clock: tomorrow's DA file is there or not depending on the hour in Chicago.
        let live = try MisoSimulatorProcess(arguments: ["--spp-locations", "3"])
        defer { live.stop() }
        try scraper.writeConfig("""
            defaults:
              retry: {max_attempts: 2, base_delay: 0.05, max_delay: 0.1}
            collectors:
              spp-rt: {type: spp.rt_lmp, enabled: true, api_url: "\(live.url(Self.rtPath))", parameters: {snapshot_intervals: 2}, http: {rate_limit_per_minute: 0}}
              spp-da: {type: spp.da_lmp, enabled: true, api_url: "\(live.url(Self.path))", http: {rate_limit_per_minute: 0}}
            """)
        let result = try scraper.run(["run", "--all", "--log-format", "json"])
        XCTAssertEqual(result.status, 0, result.transcript)
        guard case .array(let items)? = result.summary?["collectors"] else { return XCTFail("no collectors array: \(result.transcript)") }
        var collectors: [String: JSONObject] = [:]
        for case .object(let o) in items { collectors[o["collector"]?.stringValue ?? "?"] = o }
        XCTAssertEqual(Set(collectors.keys), ["spp-rt", "spp-da"], result.transcript)
        func count(_ name: String, _ key: String) -> Int {
            if case .int(let value)? = collectors[name]?[key] { return value }
            return 0
        }
        XCTAssertEqual(count("spp-rt", "collected"), 2, result.transcript)
        XCTAssertGreaterThanOrEqual(count("spp-da", "collected"), 1, "today's file was posted yesterday: \(result.transcript)")
        XCTAssertEqual(count("spp-da", "collected") + count("spp-da", "not_published"), 2, result.transcript)
        XCTAssertEqual(try live.stats().byPath[Self.path], 2)
    }
}
