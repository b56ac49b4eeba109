import CollectionFramework
import Collectors
import Foundation
import XCTest

/// NYISO zonal LBMP: which file each day comes from, the DST days' stamps, and every rule passing
/// and failing (warnings stored, errors refused, severities overridden).
final class NYISOCollectorTests: XCTestCase {
    /// 2025-01-20 12:00 in New York.
    private let noon = Date(timeIntervalSince1970: 1_737_392_400)

    private func rt(_ parameters: [String: String] = [:], severities: [String: RuleSeverity] = [:]) throws -> NYISORealTimeZonalLBMPCollector {
        var configuration = CollectorConfiguration(name: "nyiso-rt", apiURL: "http://127.0.0.1:9/public/csv", parameters: parameters)
        configuration.ruleSeverities = severities
        return try NYISORealTimeZonalLBMPCollector(configuration: configuration)
    }

    private func day(_ text: String) -> CalendarDate { CalendarDate(iso: text)! }

    func testRecentDaysComeFromDailyFilesAndOlderOnesFromTheMonthlyZip() throws {
        let candidates = try rt().candidates(for: CollectionRequest(mode: .range(day("2025-01-12"), day("2025-01-20")), collectionTime: noon))
        XCTAssertEqual(candidates.count, 9)
        XCTAssertEqual(candidates.map(\.identifier).first, "20250112realtime_zone.csv")
        // 2025-01-14 is 6 days back: the last day of the default 7 read from daily files.
        XCTAssertEqual(candidates[1].url, "http://127.0.0.1:9/public/csv/realtime/20250101realtime_zone_csv.zip")
        XCTAssertEqual(candidates[2].url, "http://127.0.0.1:9/public/csv/realtime/20250114realtime_zone.csv")
        XCTAssertEqual(candidates.last?.url, "http://127.0.0.1:9/public/csv/realtime/20250120realtime_zone.csv")
        XCTAssertEqual(candidates.last?.partitionDate, day("2025-01-20"))
        XCTAssertEqual(candidates.last?.metadata["complete"], .bool(false), "today's file is still being written")
        XCTAssertEqual(candidates[2].metadata["complete"], .bool(true))

        // Parameters reach candidates(for:) merged into the filters (the runner merges collectors.yaml's).
        let narrow = try rt().candidates(for: CollectionRequest(mode: .day(day("2025-01-18")), filters: ["daily_file_days": "2"], collectionTime: noon))
        XCTAssertTrue(narrow[0].url.hasSuffix("20250101realtime_zone_csv.zip"))
    }

    func testAFutureDayIsRefusedButTheDayAheadFileOfTomorrowIsAsked() throws {
        XCTAssertThrowsError(try rt().candidates(for: CollectionRequest(mode: .day(day("2025-01-21")), collectionTime: noon))) { error in
            XCTAssertTrue("\(error)".contains("no file for 2025-01-21 yet"), "\(error)")
        }
        let da = try NYISODayAheadZonalLBMPCollector(configuration: CollectorConfiguration(name: "nyiso-da"))
        let snapshot = try da.candidates(for: CollectionRequest(mode: .snapshot, collectionTime: noon))
        XCTAssertEqual(snapshot.map(\.url), ["http://mis.nyiso.com/public/csv/damlbmp/20250121damlbmp_zone.csv"])
        XCTAssertEqual(da.datasetGroup, "nyiso_da_zonal_lbmp")
    }

    func testDaylightSavingDaysHave276And300RealTimeIntervalsAnd23And25Hours() {
        let spring = ISOPayloads.nyisoStamps("2025-03-09", realTime: true)
        XCTAssertEqual(spring.count, 276)
        XCTAssertEqual(spring[spring.firstIndex(of: "03/09/2025 01:55:00")! + 1], "03/09/2025 03:00:00")
        let autumn = ISOPayloads.nyisoStamps("2025-11-02", realTime: true)
        XCTAssertEqual(autumn.count, 300)
        XCTAssertEqual(autumn.filter { $0 == "11/02/2025 01:05:00" }.count, 2)
        XCTAssertEqual(ISOPayloads.nyisoStamps("2025-03-09", realTime: false).count, 23)
        XCTAssertEqual(ISOPayloads.nyisoStamps("2025-11-02", realTime: false).count, 25)

        for (date, count) in [("2025-01-20", 288 * 15), ("2025-03-09", 276 * 15), ("2025-11-02", 300 * 15)] {
            let file = ISOPayloads.nyisoFile(stamps: ISOPayloads.nyisoStamps(date, realTime: true))
            let result = try! validate(file, date)
            guard case .valid(let report) = result else { return XCTFail("\(date): \(result)") }
            XCTAssertEqual(report.recordCount, count, date)
            XCTAssertEqual(report.warnings, [], date)
        }
    }

    private func validate(_ file: Data, _ date: String, collector: NYISORealTimeZonalLBMPCollector? = nil,
                          collectionTime: Date? = nil) throws -> ValidationResult {
        let collector = try collector ?? rt()
        let time = collectionTime ?? Date(timeIntervalSince1970: 1_800_000_000)
        let candidate = try collector.candidates(for: CollectionRequest(mode: .day(day(date)), collectionTime: time))[0]
        // Streamed in odd-sized chunks, as the pipeline does.
        var validator = collector.streamingValidator(for: candidate)!
        var offset = 0
        while offset < file.count {
            let end = min(file.count, offset + 777)
            if let failure = validator.consume(file.subdata(in: offset..<end)) { return .invalid(failure) }
            offset = end
        }
        return validator.finish()
    }

    private func rule(_ result: ValidationResult) -> String? { result.failure?.rule }

    func testBrokenFilesAreRefusedByTheRuleTheyBreak() throws {
        var stamps = ISOPayloads.nyisoStamps("2025-01-20", realTime: true)
        // A missing interval.
        var gap = stamps
        gap.remove(at: 100)
        XCTAssertEqual(rule(try validate(ISOPayloads.nyisoFile(stamps: gap), "2025-01-20")), "nyiso_interval_sequence")
        // A missing zone.
        XCTAssertEqual(rule(try validate(ISOPayloads.nyisoFile(stamps: stamps, zones: Array(ISOPayloads.nyisoZones.dropLast())), "2025-01-20")), "nyiso_zone_count")
        // The day cut short (a past day must be complete).
        let short = try validate(ISOPayloads.nyisoFile(stamps: Array(stamps.prefix(200))), "2025-01-20")
        XCTAssertEqual(rule(short), "nyiso_interval_count")
        XCTAssertTrue(short.failure!.reason.contains("has 200 of the 288 intervals"), short.failure!.reason)
        // Another day's file.
        XCTAssertEqual(rule(try validate(ISOPayloads.nyisoFile(stamps: ISOPayloads.nyisoStamps("2025-01-21", realTime: true)), "2025-01-20")), "nyiso_wrong_day")
        // A price that is not a number, and a zone that does not exist.
        var text = String(decoding: ISOPayloads.nyisoFile(stamps: stamps), as: UTF8.self)
        text = text.replacingOccurrences(of: "\"WEST\",61752,", with: "\"WEST\",61752,n/a,", options: [], range: text.range(of: "\"WEST\",61752,"))
        XCTAssertEqual(rule(try validate(Data(text.utf8), "2025-01-20")), "csv_column_count")
        let priced = String(decoding: ISOPayloads.nyisoFile(stamps: stamps), as: UTF8.self).replacingOccurrences(of: ",1.25,", with: ",x,")
        XCTAssertEqual(rule(try validate(Data(priced.utf8), "2025-01-20")), "nyiso_price")
        let unknown = String(decoding: ISOPayloads.nyisoFile(stamps: stamps), as: UTF8.self).replacingOccurrences(of: "\"MILLWD\"", with: "\"MILWOOD\"")
        XCTAssertEqual(rule(try validate(Data(unknown.utf8), "2025-01-20")), "nyiso_zone")
        stamps[5] = "01/20/2025 0:30:00"
        XCTAssertEqual(rule(try validate(ISOPayloads.nyisoFile(stamps: stamps), "2025-01-20")), "nyiso_time_stamp")
    }

    func testOffGridStampsAndTheOldHeaderAreWarningsUnlessMadeErrors() throws {
        var stamps = ISOPayloads.nyisoStamps("2025-01-20", realTime: true)
        stamps.insert("01/20/2025 10:13:00", at: stamps.firstIndex(of: "01/20/2025 10:15:00")!)
        let oldHeader = ISOPayloads.nyisoHeader.replacingOccurrences(of: "Congestion ($/MWHr)", with: "Congestion ($/MWH")
        let file = ISOPayloads.nyisoFile(stamps: stamps, header: oldHeader)
        guard case .valid(let report) = try validate(file, "2025-01-20") else { return XCTFail("quirks must be stored") }
        XCTAssertEqual(report.warnings.map(\.rule), ["nyiso_old_header", "nyiso_off_grid_stamp"])
        XCTAssertEqual(report.warnings.last?.count, 15, "one per zone row")
        XCTAssertEqual(report.recordCount, 289 * 15)

        let strict = try rt(severities: ["nyiso_off_grid_stamp": .error])
        XCTAssertEqual(rule(try validate(file, "2025-01-20", collector: strict)), "nyiso_off_grid_stamp")
    }

    func testTodaysFileMayStopEarlyAndEndWithAdvisoryRowsButAPastDayMayNot() throws {
        var stamps = Array(ISOPayloads.nyisoStamps("2025-01-20", realTime: true).prefix(144))  // through 12:00
        stamps += ["01/20/2025 12:15:00", "01/20/2025 12:30:00", "01/20/2025 12:45:00"]
        let file = ISOPayloads.nyisoFile(stamps: stamps)
        guard case .valid(let report) = try validate(file, "2025-01-20", collectionTime: noon) else { return XCTFail("today's file is valid") }
        XCTAssertEqual(report.warnings.map(\.rule), ["nyiso_advisory_rows"])
        XCTAssertEqual(report.warnings.first?.count, 3)
        XCTAssertEqual(report.labels["complete"], "false")
        XCTAssertEqual(rule(try validate(file, "2025-01-20")), "nyiso_interval_sequence", "a past day's file has no advisory tail")
    }

    func testTheDayAheadFallBackDayRepeatsItsOneOClockHour() throws {
        let da = try NYISODayAheadZonalLBMPCollector(configuration: CollectorConfiguration(name: "nyiso-da"))
        let stamps = ISOPayloads.nyisoStamps("2025-11-02", realTime: false)
        XCTAssertEqual(stamps.filter { $0 == "11/02/2025 01:00" }.count, 2)
        let candidate = try da.candidates(for: CollectionRequest(mode: .day(day("2025-11-02")), collectionTime: Date(timeIntervalSince1970: 1_800_000_000)))[0]
        guard case .valid(let report) = da.validate(ISOPayloads.nyisoFile(stamps: stamps), for: candidate) else { return XCTFail() }
        XCTAssertEqual(report.recordCount, 25 * 15)
        XCTAssertEqual(rule(da.validate(ISOPayloads.nyisoFile(stamps: Array(stamps.dropLast())), for: candidate)), "nyiso_interval_count")
    }
}
