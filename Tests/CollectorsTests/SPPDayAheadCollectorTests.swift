import CollectionFramework
import Collectors
import Foundation
import TestSupport
import XCTest

extension ISOPayloads {
    static let sppDAHeader = "Interval,GMTIntervalEnd,Settlement Location,Pnode,LMP,MLC,MCC,MEC,BAA"

    /// The hour ends of a Central market day (24, or 23/25 on the DST days), walked in UTC.
    static func sppDAHourEnds(_ day: String) -> [Date] {
        steps(day, central, minutes: 60).map { $0.addingTimeInterval(3600) }
    }

    /// An SPP day-ahead file for `day`: hour-major, `locations` rows an hour, LMP = MEC + MCC + MLC.
    /// `edit` sees (hour index, location index, fields) and may change the fields or drop the row (nil).
    static func sppDayAhead(_ day: String, locations: Int = 3, ends: [Date]? = nil, seconds: Bool = true, localZone: TimeZone = central,
                            header: String = sppDAHeader, edit: ((Int, Int, [String]) -> [String]?)? = nil) -> Data {
        var lines = [header]
        for (hour, end) in (ends ?? sppDAHourEnds(day)).enumerated() {
            for i in 0..<locations {
                let mlc = 0.1 * Double(i), mcc = -1.5 + Double(hour) / 10, mec = 25.0 + Double(i)
                var fields = [wall(end, localZone, seconds: seconds), wall(end, utc, seconds: seconds), "SL_\(i)", "PN_\(i)",
                              String(format: "%.4f", mec + mcc + mlc), String(format: "%.4f", mlc), String(format: "%.4f", mcc),
                              String(format: "%.4f", mec), "SPP"]
                if let edit {
                    guard let edited = edit(hour, i, fields) else { continue }
                    fields = edited
                }
                lines.append(fields.joined(separator: ","))
            }
        }
        return Data((lines.joined(separator: "\n") + "\n").utf8)
    }
}

/// `spp.da_lmp`: file names, folders and partitions of Central market days, the snapshot's two days,
/// what is refused, the DST days' row counts, and each rule passing and failing (with severities overridden).
final class SPPDayAheadCollectorTests: XCTestCase {
    private struct Refused: Error {}
    private let later = Date(timeIntervalSince1970: 1_800_000_000)  // 2027-01-15: every test day is over

    private func sppDA(_ severities: [String: RuleSeverity] = [:]) throws -> SPPDayAheadLMPCollector {
        var configuration = CollectorConfiguration(name: "spp-da-lmp", apiURL: "http://127.0.0.1:9/dl")
        configuration.ruleSeverities = severities
        return try SPPDayAheadLMPCollector(configuration: configuration)
    }

    private func request(_ day: String) -> CollectionRequest {
        CollectionRequest(mode: .day(CalendarDate(iso: day)!), collectionTime: later)
    }

    private func candidate(_ day: String, _ collector: SPPDayAheadLMPCollector? = nil) throws -> DownloadCandidate {
        try (collector ?? self.sppDA()).candidates(for: request(day))[0]
    }

    /// The rule of the first refusing failure, or nil when the payload is valid.
    private func rule(_ payload: Data, _ day: String = "2025-01-20", _ severities: [String: RuleSeverity] = [:]) throws -> String? {
        let collector = try sppDA(severities)
        return collector.validate(payload, for: try candidate(day, collector)).failure?.rule
    }

    private func report(_ payload: Data, _ day: String, _ severities: [String: RuleSeverity] = [:],
                        file: StaticString = #filePath, line: UInt = #line) throws -> ValidationReport {
        let collector = try sppDA(severities)
        let result = collector.validate(payload, for: try candidate(day, collector))
        guard case .valid(let report) = result else {
            XCTFail("refused: \(result.failure.map { "[\($0.rule)] \($0.reason)" } ?? "?")", file: file, line: line)
            throw Refused()
        }
        return report
    }

    // MARK: - Candidates

    func testIsRegisteredWithItsRulesAndNoPoliteness() throws {
        XCTAssertTrue(BuiltInCollectors.all.contains { $0 == SPPDayAheadLMPCollector.self })
        XCTAssertNotNil(CollectorCatalog(BuiltInCollectors.all).type(named: "spp.da_lmp"))
        let warnings = SPPDayAheadLMPCollector.rules.filter { $0.defaultSeverity == .warning }.map(\.name)
        XCTAssertEqual(warnings, ["spp_da_dst_hour_count", "spp_da_lmp_sum"], "the facts the reference leaves unconfirmed")
        XCTAssertNil(SPPDayAheadLMPCollector.politeness, "SPP publishes no request limit")
        XCTAssertEqual(try sppDA().datasetGroup, "spp_da_lmp")
    }

    func testOneFilePerMarketDayNamedAndFiledByTheDay() throws {
        let c = try candidate("2025-07-14")
        XCTAssertEqual(c.identifier, "DA-LMP-SL-202507140100.csv")
        XCTAssertEqual(c.url, "http://127.0.0.1:9/dl?path=%2F2025%2F07%2FBy_Day%2FDA-LMP-SL-202507140100.csv")
        XCTAssertEqual(c.partitionDate, CalendarDate(iso: "2025-07-14"))
        XCTAssertEqual(c.context.requestedDate, CalendarDate(iso: "2025-07-14"))
        XCTAssertEqual(c.headers["Accept"], "text/csv")
        XCTAssertEqual(c.headers["User-Agent"], Defaults.httpClient.userAgent)
        XCTAssertEqual(c.changedContent, .replacePrevious, "a re-posted day replaces the stored one at its key")
        XCTAssertEqual(c.metadata["market_day"], .string("2025-07-14"))
        XCTAssertEqual(c.metadata["time_zone"], .string("America/Chicago"))
        XCTAssertEqual(c.metadata["collection_mode"], .string("date"))
        // The folder is the market day's month, also on the month's first day.
        XCTAssertTrue(try candidate("2025-08-01").url.hasSuffix("%2F2025%2F08%2FBy_Day%2FDA-LMP-SL-202508010100.csv"))

        let range = try sppDA().candidates(for: CollectionRequest(mode: .range(CalendarDate(iso: "2025-03-08")!, CalendarDate(iso: "2025-03-10")!),
                                                                     collectionTime: later))
        XCTAssertEqual(range.map(\.identifier), ["DA-LMP-SL-202503080100.csv", "DA-LMP-SL-202503090100.csv", "DA-LMP-SL-202503100100.csv"])
        XCTAssertEqual(range.map { $0.metadata["market_hours"] }, [.int(24), .int(23), .int(24)])
        XCTAssertEqual(try candidate("2025-11-02").metadata["market_hours"], .int(25))
    }

    func testASnapshotAsksForTodayAndTomorrowInCentralTime() throws {
        // 03:30Z on the 21st is 21:30 CST on the 20th: the UTC day would be one too late.
        let at = Date(timeIntervalSince1970: 1_737_430_200)
        let snapshot = try sppDA().candidates(for: CollectionRequest(mode: .snapshot, collectionTime: at))
        XCTAssertEqual(snapshot.map(\.identifier), ["DA-LMP-SL-202501200100.csv", "DA-LMP-SL-202501210100.csv"])
        XCTAssertEqual(snapshot.map(\.partitionDate), [CalendarDate(iso: "2025-01-20"), CalendarDate(iso: "2025-01-21")])
        XCTAssertEqual(snapshot[0].metadata["collection_mode"], .string("snapshot"))
        XCTAssertEqual(snapshot[0].metadata["collected_at"], .string("2025-01-21T03:30:00Z"))
    }

    func testDaysAfterTomorrowFiltersAndBadAddressesAreRefused() throws {
        let at = Date(timeIntervalSince1970: 1_737_430_200)  // 2025-01-20 21:30 Central
        XCTAssertEqual(try sppDA().candidates(for: CollectionRequest(mode: .day(CalendarDate(iso: "2025-01-21")!), collectionTime: at)).count, 1)
        XCTAssertThrowsError(try sppDA().candidates(for: CollectionRequest(mode: .range(CalendarDate(iso: "2025-01-20")!, CalendarDate(iso: "2025-01-22")!),
                                                                              collectionTime: at))) { error in
            XCTAssertTrue("\(error)".contains("no file for 2025-01-22 yet") && "\(error)".contains("ask for days up to 2025-01-21"), "\(error)")
        }
        XCTAssertThrowsError(try sppDA().candidates(for: CollectionRequest(mode: .day(CalendarDate(iso: "2025-01-20")!), filters: ["node": "X"],
                                                                              collectionTime: at))) { error in
            XCTAssertTrue("\(error)".contains("node"), "\(error)")
        }
        XCTAssertThrowsError(try SPPDayAheadLMPCollector(configuration: CollectorConfiguration(name: "spp-da-lmp", apiURL: "ftp://example.com/x")))
    }

    // MARK: - DST days

    func testTheDSTDaysHave23And25HoursPerLocation() throws {
        for (day, hours) in [("2025-01-20", 24), ("2025-03-09", 23), ("2025-11-02", 25)] {
            let payload = ISOPayloads.sppDayAhead(day, locations: 4)
            let checked = try report(payload, day)
            XCTAssertEqual(checked.recordCount, 4 * hours, day)
            XCTAssertEqual(checked.labels["market_hours"], String(hours), day)
            XCTAssertEqual(checked.warnings, [], day)
            XCTAssertEqual(checked.shape, "csv")
        }
        let spring = String(decoding: ISOPayloads.sppDayAhead("2025-03-09", locations: 1), as: UTF8.self)
        XCTAssertFalse(spring.contains("03/09/2025 02:00:00"), "the spring day skips hour ending 02:00")
        XCTAssertTrue(spring.contains("03/09/2025 01:00:00,03/09/2025 07:00:00,") && spring.contains("03/09/2025 03:00:00,03/09/2025 08:00:00,"), spring)
        let autumn = String(decoding: ISOPayloads.sppDayAhead("2025-11-02", locations: 1), as: UTF8.self)
        XCTAssertTrue(autumn.contains("11/02/2025 01:00:00,11/02/2025 06:00:00,") && autumn.contains("11/02/2025 01:00:00,11/02/2025 07:00:00,"),
                      "the autumn day's hour ending 01:00 repeats: \(autumn)")
        XCTAssertTrue(autumn.contains("11/03/2025 00:00:00,11/03/2025 06:00:00,"), "the last hour ends at the next midnight")

        // Another day's hours are refused, whatever their number.
        XCTAssertEqual(try rule(ISOPayloads.sppDayAhead("2025-01-20", ends: ISOPayloads.sppDAHourEnds("2025-11-02")), "2025-01-20"), "spp_da_gmt_interval")
        XCTAssertEqual(try rule(ISOPayloads.sppDayAhead("2025-11-02", ends: ISOPayloads.sppDAHourEnds("2025-11-01")), "2025-11-02"), "spp_da_gmt_interval")
    }

    func testAShortDSTDayIsAWarningUnlessMadeAnError() throws {
        // The autumn day without its repeated hour (24 rows a location): the 25 is unconfirmed, so stored with a warning.
        let withoutRepeat = ISOPayloads.sppDayAhead("2025-11-02") { hour, _, fields in hour == 1 ? nil : fields }
        let warned = try report(withoutRepeat, "2025-11-02")
        XCTAssertEqual(warned.warnings.map(\.rule), ["spp_da_dst_hour_count"])
        XCTAssertEqual(warned.warnings.first?.count, 3, "one per settlement location")
        XCTAssertTrue(warned.warnings.first?.first.contains("has 24 hourly row(s); the market day 2025-11-02 has 25 hours") == true,
                      warned.warnings.first?.first ?? "")
        XCTAssertEqual(try rule(withoutRepeat, "2025-11-02", ["spp_da_dst_hour_count": .error]), "spp_da_dst_hour_count")
        // The spring day with an hour less than its 23.
        let springShort = ISOPayloads.sppDayAhead("2025-03-09") { hour, i, fields in hour == 10 && i == 2 ? nil : fields }
        XCTAssertEqual(try report(springShort, "2025-03-09").warnings.map(\.rule), ["spp_da_dst_hour_count"])
    }

    // MARK: - Each rule

    func testGMTIntervalPassesAndFails() throws {
        XCTAssertNil(try rule(ISOPayloads.sppDayAhead("2025-01-20")))
        XCTAssertNil(try rule(ISOPayloads.sppDayAhead("2025-01-20", seconds: false)), "some DA files omit seconds [U]")
        XCTAssertEqual(try rule(ISOPayloads.sppDayAhead("2025-01-20", ends: ISOPayloads.sppDAHourEnds("2025-01-19"))), "spp_da_gmt_interval",
                       "the day before's file under this day's name")
        let iso = ISOPayloads.sppDayAhead("2025-01-20") { hour, _, fields in
            var f = fields
            if hour == 3 { f[1] = "2025-01-20T10:00:00Z" }
            return f
        }
        XCTAssertEqual(try rule(iso), "spp_da_gmt_interval")
        // Off the hour grid.
        let offGrid = ISOPayloads.sppDayAhead("2025-01-20") { hour, _, fields in
            var f = fields
            if hour == 3 { f[1] = "01/20/2025 10:05:00" }
            return f
        }
        let collector = try sppDA()
        let failure = collector.validate(offGrid, for: try candidate("2025-01-20", collector)).failure
        XCTAssertEqual(failure?.rule, "spp_da_gmt_interval")
        XCTAssertEqual(failure?.field, "GMTIntervalEnd")
        XCTAssertEqual(failure?.values["value"], "01/20/2025 10:05:00")
        XCTAssertTrue(failure?.reason.contains("01/20/2025 07:00:00 to 01/21/2025 06:00:00 UTC") == true, failure?.reason ?? "")
        // The row number, fed as the pipeline does, in chunks (here 32 bytes: at most one record ends in each).
        // Fed whole, as `validate(_:for:)` does, CSVStreamingValidator numbers every row of a chunk with the
        // count of records read by the chunk's end (here 73): a framework limitation, not this collector's.
        var streaming = try XCTUnwrap(collector.streamingValidator(for: try candidate("2025-01-20", collector)))
        var streamed: ValidationFailure?
        for start in stride(from: 0, to: offGrid.count, by: 32) where streamed == nil {
            streamed = streaming.consume(offGrid.subdata(in: start..<min(start + 32, offGrid.count)))
        }
        XCTAssertEqual(streamed?.rule, "spp_da_gmt_interval")
        XCTAssertEqual(streamed?.recordIndex, 11, "hour 4's first row is record 11 (the header is 1)")
    }

    func testIntervalPassesAndFails() throws {
        XCTAssertEqual(try rule(ISOPayloads.sppDayAhead("2025-01-20", localZone: ISOPayloads.utc)), "spp_da_interval", "Interval written in UTC")
        let swapped = ISOPayloads.sppDayAhead("2025-01-20") { hour, _, fields in
            var f = fields
            if hour == 5 { f[0] = "01/20/2025 05:00:00" }
            return f
        }
        XCTAssertEqual(try rule(swapped), "spp_da_interval")
        // The last hour's label is unconfirmed: the next day's 00:00 (the generator's) and the day's 24:00 both pass.
        let twentyFour = ISOPayloads.sppDayAhead("2025-01-20") { hour, _, fields in
            var f = fields
            if hour == 23 { f[0] = "01/20/2025 24:00:00" }
            return f
        }
        XCTAssertNil(try rule(twentyFour))
        let twentyFourElsewhere = ISOPayloads.sppDayAhead("2025-01-20") { hour, _, fields in
            var f = fields
            if hour == 22 { f[0] = "01/20/2025 24:00:00" }
            return f
        }
        XCTAssertEqual(try rule(twentyFourElsewhere), "spp_da_interval")
        // In the autumn day's repeated hour, each 01:00 label must go with its own UTC end (06:00Z then 07:00Z); 02:00 is 08:00Z.
        let autumnWrong = ISOPayloads.sppDayAhead("2025-11-02") { hour, _, fields in
            var f = fields
            if hour == 1 { f[0] = "11/02/2025 02:00:00" }
            return f
        }
        XCTAssertEqual(try rule(autumnWrong, "2025-11-02"), "spp_da_interval")
    }

    func testPricesPassAndFail() throws {
        for bad in ["N/A", "", "nan", "inf", "-Infinity", "1e999", "0x1p3", "12,5"] {
            let payload = ISOPayloads.sppDayAhead("2025-01-20") { hour, i, fields in
                var f = fields
                if hour == 7, i == 1 { f[6] = bad }
                return f
            }
            XCTAssertEqual(try rule(payload), bad == "12,5" ? "csv_column_count" : "spp_da_price", bad)
        }
        let negative = ISOPayloads.sppDayAhead("2025-01-20") { hour, i, fields in
            var f = fields
            if hour == 2, i == 0 { f[4] = "-23.4000"; f[5] = "0.0000"; f[6] = "-48.4000"; f[7] = "25.0000" }
            return f
        }
        XCTAssertNil(try rule(negative), "prices may be negative")
        let padded = ISOPayloads.sppDayAhead("2025-01-20") { _, _, fields in fields.map { "  \($0) " } }
        XCTAssertNil(try rule(padded), "space-padded values are read trimmed")
    }

    func testDuplicateRowsFail() throws {
        let good = String(decoding: ISOPayloads.sppDayAhead("2025-01-20"), as: UTF8.self)
        let lines = good.split(separator: "\n").map(String.init)
        XCTAssertEqual(try rule(Data((good + lines[5] + "\n").utf8)), "spp_da_duplicate_row")
        // The same location and hour under another Pnode is still the same key.
        XCTAssertEqual(try rule(Data((good + lines[5].replacingOccurrences(of: "PN_", with: "PX_") + "\n").utf8)), "spp_da_duplicate_row")
    }

    func testEveryLocationHasEveryHourOfANormalDay() throws {
        let missing = ISOPayloads.sppDayAhead("2025-01-20") { hour, i, fields in hour == 13 && i == 1 ? nil : fields }
        let collector = try sppDA()
        let failure = collector.validate(missing, for: try candidate("2025-01-20", collector)).failure
        XCTAssertEqual(failure?.rule, "spp_da_hour_count")
        XCTAssertEqual(failure?.values["value"], "SL_1")
        XCTAssertTrue(failure?.reason.contains("has 23 hourly row(s); the market day 2025-01-20 has 24 hours") == true, failure?.reason ?? "")
        // A file cut after hour 20 (every location short) fails too.
        XCTAssertEqual(try rule(ISOPayloads.sppDayAhead("2025-01-20") { hour, _, fields in hour >= 20 ? nil : fields }), "spp_da_hour_count")
        // Made a warning, the file is stored and the shortfall noted.
        let warned = try report(missing, "2025-01-20", ["spp_da_hour_count": .warning])
        XCTAssertEqual(warned.warnings.map(\.rule), ["spp_da_hour_count"])
    }

    func testTheLMPSumIsAWarningUnlessMadeAnError() throws {
        let off = ISOPayloads.sppDayAhead("2025-01-20") { hour, i, fields in
            var f = fields
            if hour == 5, i == 0 { f[4] = "99.0000" }
            return f
        }
        let warned = try report(off, "2025-01-20")
        XCTAssertEqual(warned.warnings.map(\.rule), ["spp_da_lmp_sum"])
        XCTAssertEqual(try rule(off, "2025-01-20", ["spp_da_lmp_sum": .error]), "spp_da_lmp_sum")
        let cent = ISOPayloads.sppDayAhead("2025-01-20") { hour, i, fields in
            var f = fields
            if hour == 5, i == 0 { f[4] = String(format: "%.4f", Double(f[4])! + 0.004) }
            return f
        }
        XCTAssertEqual(try report(cent, "2025-01-20", ["spp_da_lmp_sum": .error]).warnings, [], "within the cent")
    }

    func testTheHeaderIsReadByNameWithTheBAAColumnAnywhere() throws {
        let baaThird = ISOPayloads.sppDayAhead("2025-01-20", header: "Interval,GMTIntervalEnd,BAA,Settlement Location,Pnode,LMP,MLC,MCC,MEC") { _, _, f in
            Array(f[0..<2]) + ["SWPW"] + Array(f[2..<8])
        }
        XCTAssertNil(try rule(baaThird))
        let noBAA = ISOPayloads.sppDayAhead("2025-01-20", header: "Interval,GMTIntervalEnd,Settlement Location,Pnode,LMP,MLC,MCC,MEC") { _, _, f in Array(f[0..<8]) }
        XCTAssertNil(try rule(noBAA), "the BAA column is optional (added with RTO West)")
        let dailySpelling = ISOPayloads.sppDayAhead("2025-01-20", header: "Interval, GMT Interval, Settlement Location Name, PNODE Name, LMP, MLC, MCC, MEC, BAA")
        XCTAssertNil(try rule(dailySpelling), "the RT daily rollup's spellings, space-padded")
        XCTAssertEqual(try rule(ISOPayloads.sppDayAhead("2025-01-20", header: "Interval,GMTIntervalEnd,Settlement Location,Pnode,LMP,MLC,MCC,Energy,BAA")), "csv_header")
        XCTAssertEqual(try rule(Data()), "csv_header")
        XCTAssertEqual(try rule(Data("<root>Error Downloading Content - NO Results</root>".utf8)), "csv_header")
        XCTAssertEqual(try rule(Data((ISOPayloads.sppDAHeader + "\n").utf8)), "csv_rows")
    }

    // MARK: - Robustness

    func testRandomBytesAndTruncationsAreJudgedWithoutCrashing() throws {
        let collector = try sppDA()
        let c = try candidate("2025-01-20", collector)
        var rng = SplitMix64(seed: 4_117)
        for round in 0..<2_000 {
            var bytes = (0..<Int(rng.next() % 300)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            if round % 2 == 0 { bytes = Array((ISOPayloads.sppDAHeader + "\n").utf8) + bytes }
            XCTAssertFalse(collector.validate(Data(bytes), for: c).isValid, "round \(round)")
        }
        let payload = ISOPayloads.sppDayAhead("2025-01-20", locations: 2)
        let lastLineStart = (payload.dropLast().lastIndex(of: 0x0A) ?? 0) + 1
        for length in 0..<payload.count {
            let result = collector.validate(payload.prefix(length), for: c)
            // Cut before the last row, some hour is missing. A cut inside the last row may leave a shorter
            // but well-formed value (the CSV cannot tell): then every row is still there.
            if length < lastLineStart {
                XCTAssertFalse(result.isValid, "truncated to \(length) bytes")
            } else if case .valid(let report) = result {
                XCTAssertEqual(report.recordCount, 48, "truncated to \(length) bytes")
            }
        }
    }

    func testRandomMutationsNeverCrashAndAcceptedOnesStillObeyTheRules() throws {
        let collector = try sppDA()
        let c = try candidate("2025-01-20", collector)
        let utcEnds = Set(ISOPayloads.sppDAHourEnds("2025-01-20").flatMap { end in
            [true, false].map { ISOPayloads.wall(end, ISOPayloads.utc, seconds: $0) }
        })
        let seed = Array(ISOPayloads.sppDayAhead("2025-01-20", locations: 2))
        let alphabet = Array("0123456789/:., -\nSLPN_ABCDXe".utf8) + [0x00, 0x09, 0x80, 0xC3, 0xFF]
        var rng = SplitMix64(seed: 2_025)
        var accepted = 0
        var rules = Set<String>()
        for _ in 0..<4_000 {
            let bytes = ByteMutation.mutate(seed, alphabet: alphabet, using: &rng)
            let result = collector.validate(Data(bytes), for: c)
            guard case .valid(let report) = result else {
                rules.insert(result.failure?.rule ?? "?")
                continue
            }
            accepted += 1
            // Re-read what was accepted, independently of the validator.
            let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) } }
            guard let header = lines.first, let g = header.firstIndex(of: "GMTIntervalEnd"), let l = header.firstIndex(of: "Settlement Location"),
                  let lmp = header.firstIndex(of: "LMP") else { XCTFail("accepted without the header: \(lines.first ?? [])"); continue }
            let rows = lines.dropFirst().filter { $0 != [""] }
            XCTAssertEqual(report.recordCount, rows.count)
            var perLocation: [String: Set<String>] = [:]
            for row in rows {
                XCTAssertTrue(utcEnds.contains(row[g]), "accepted GMT \(row[g])")
                XCTAssertTrue(perLocation[row[l], default: []].insert(row[g]).inserted, "accepted a duplicate \(row[l]) \(row[g])")
                XCTAssertTrue(Double(row[lmp])?.isFinite == true, "accepted LMP \(row[lmp])")
            }
            for (location, hours) in perLocation { XCTAssertEqual(hours.count, 24, "accepted \(location) with \(hours.count) hours") }
        }
        XCTAssertGreaterThan(accepted, 0)
        XCTAssertTrue(rules.isSuperset(of: ["spp_da_gmt_interval", "spp_da_price"]) && rules.count >= 4, "\(rules)")
    }
}
