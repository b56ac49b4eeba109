import CollectionFramework
import Foundation
import TestSupport
import XCTest

/// The simulator's ISO feeds over real HTTP: what each path serves, DST counts, the CAISO error
/// codes and referee, SPP's naming rules, and the simulated clock.
final class ISOSimulatorTests: XCTestCase {
    var sim: MisoSimulatorProcess!

    override func setUpWithError() throws {
        sim = try MisoSimulatorProcess(arguments: ["--now", "2026-12-03T17:00:00Z", "--caiso-nodes", "5", "--spp-locations", "4",
                                                   "--caiso-min-interval", "0"])
    }

    override func tearDown() {
        sim?.stop()
    }

    func text(_ path: String, _ query: [(String, String)] = []) throws -> (status: Int, body: String) {
        let response = try sim.get(path, query: query)
        return (response.status, String(decoding: response.body, as: UTF8.self))
    }

    func testNYISOServesTenDailyFilesTodaysPartialAndMonthlyArchivesOfWholeDays() throws {
        XCTAssertEqual(try text("/public/csv/realtime/20261124realtime_zone.csv").status, 200)
        XCTAssertEqual(try text("/public/csv/realtime/20261123realtime_zone.csv").status, 404, "only the 10 latest days")
        XCTAssertEqual(try text("/public/csv/realtime/20261204realtime_zone.csv").status, 404, "no real-time file for tomorrow")
        XCTAssertEqual(try text("/public/csv/damlbmp/20261204damlbmp_zone.csv").status, 200, "the day-ahead file of tomorrow")
        let today = try text("/public/csv/realtime/20261203realtime_zone.csv").body
        let lines = today.split(separator: "\r\n")
        XCTAssertTrue(lines[lines.count - 61].hasPrefix("\"12/03/2026 12:00:00\""), "RTD rows through noon Eastern (17:00Z)")
        XCTAssertEqual(Set(lines.suffix(60).map { $0.prefix(21) }), ["\"12/03/2026 12:15:00\"", "\"12/03/2026 12:30:00\"", "\"12/03/2026 12:45:00\"", "\"12/03/2026 13:00:00\""],
                       "then four advisory quarter-hours")

        let archive = try ZipArchive(try sim.get("/public/csv/realtime/20251101realtime_zone_csv.zip").body)
        XCTAssertFalse(archive.recoveredFromLocalHeaders)
        XCTAssertEqual(archive.members.count, 30)
        let fallBack = String(decoding: try archive.contents(of: archive.member(named: "20251102realtime_zone.csv")), as: UTF8.self)
        XCTAssertEqual(fallBack.split(separator: "\r\n").count, 1 + 300 * 15)
        let thisMonth = try ZipArchive(try sim.get("/public/csv/damlbmp/20261201damlbmp_zone_csv.zip").body)
        XCTAssertEqual(thisMonth.members.map(\.name), ["20261201damlbmp_zone.csv", "20261202damlbmp_zone.csv"], "up to yesterday")
        XCTAssertEqual(try thisMonth.contents(of: thisMonth.member(named: "20261202damlbmp_zone.csv")),
                       try sim.get("/public/csv/damlbmp/20261202damlbmp_zone.csv").body, "members are the daily files")
        XCTAssertEqual(try text("/public/csv/realtime/20270101realtime_zone_csv.zip").status, 404)

        _ = try sim.configure([("now", "2026-12-03T18:00:00Z")])
        let later = try text("/public/csv/realtime/20261203realtime_zone.csv").body
        XCTAssertTrue(later.contains("\"12/03/2026 13:00:00\",\"WEST\"") && later.contains("\"12/03/2026 14:00:00\""), "the clock moved an hour")
    }

    func caiso(_ query: [(String, String)]) throws -> (members: [String], xml: String?) {
        let response = try sim.get("/oasisapi/SingleZip", query: [("resultformat", "6")] + query)
        XCTAssertEqual(response.status, 200)
        let archive = try ZipArchive(response.body)
        let xml = try archive.members.first { $0.name.hasSuffix(".xml") }.map { String(decoding: try archive.contents(of: $0), as: UTF8.self) }
        return (archive.members.map(\.name), xml)
    }

    func testCAISOAnswersErrorsAsXMLInsideAZipWithTheDocumentedCodes() throws {
        let dam = [("queryname", "PRC_LMP"), ("version", "12"), ("market_run_id", "DAM")]
        func code(_ query: [(String, String)]) throws -> String? {
            guard let xml = try caiso(query).xml, let range = xml.range(of: #"<m:ERR_CODE>\d+"#, options: .regularExpression) else { return nil }
            return String(xml[range].dropFirst("<m:ERR_CODE>".count))
        }
        let window = [("startdatetime", "20250120T08:00-0000"), ("enddatetime", "20250121T08:00-0000")]
        XCTAssertNil(try code(dam + window + [("node", "TH_NP15_GEN-APND")]))
        XCTAssertEqual(try code(dam + [("startdatetime", "2025-01-20"), ("enddatetime", "20250121T08:00-0000"), ("node", "A")]), "1002")
        XCTAssertEqual(try code(dam + [("startdatetime", "20250101T08:00-0000"), ("enddatetime", "20250215T08:00-0000"), ("node", "TH_NP15_GEN-APND")]), "1004")
        XCTAssertEqual(try code(dam + window + [("node", (1...11).map { "N\($0)" }.joined(separator: ","))]), "1017")
        XCTAssertEqual(try code([("queryname", "PRC_INTVL_LMP"), ("version", "3"), ("market_run_id", "RTM")] + window + [("grp_type", "ALL")]), "1018")
        XCTAssertEqual(try code([("queryname", "PRC_LMP"), ("version", "11"), ("market_run_id", "DAM")] + window + [("node", "A")]), "1020")
        XCTAssertEqual(try code(dam + [("startdatetime", "20270120T08:00-0000"), ("enddatetime", "20270121T08:00-0000"), ("node", "TH_NP15_GEN-APND")]), "1000")
        XCTAssertEqual(try caiso(dam + window + [("grp_type", "ALL")]).members,
                       ["LMP", "MCE", "MCC", "MCL", "MGHG"].map { "20250120_20250121_PRC_LMP_DAM_\($0)_v12.csv" }, "one member per price type")
    }

    func testCAISOsRefereeAnswersATooEarlyRequestWithItsHTMLPage() throws {
        let strict = try MisoSimulatorProcess(arguments: ["--caiso-min-interval", "5"])
        defer { strict.stop() }
        let query = [("resultformat", "6"), ("queryname", "PRC_LMP"), ("version", "12"), ("market_run_id", "DAM"),
                     ("startdatetime", "20250120T08:00-0000"), ("enddatetime", "20250121T08:00-0000"), ("node", "TH_NP15_GEN-APND")]
        XCTAssertEqual(try strict.get("/oasisapi/SingleZip", query: query).status, 200)
        let early = try strict.get("/oasisapi/SingleZip", query: query)
        XCTAssertEqual(early.status, 429)
        XCTAssertNil(early.headers["retry-after"])
        XCTAssertTrue(String(decoding: early.body, as: UTF8.self).contains("Please retry your request after 5 seconds."))
        XCTAssertTrue(String(decoding: try strict.get("/_sim/stats").body, as: UTF8.self).contains("\"caiso_too_fast\":1"))
    }

    func testSPPNamesFilesForTheirEndInTheFolderOfTheirStartWithTheRepeatedHourSuffixed() throws {
        let download = "/file-browser-api/download/rtbm-lmp-by-location"
        func status(_ path: String) throws -> Int { try sim.get(download, query: [("path", path)]).status }
        XCTAssertEqual(try status("/2024/06/By_Interval/30/RTBM-LMP-SL-202407010000.csv"), 200)
        XCTAssertEqual(try status("/2024/07/By_Interval/01/RTBM-LMP-SL-202407010000.csv"), 404, "the folder is the start date's")
        XCTAssertEqual(try status("/2025/11/By_Interval/02/RTBM-LMP-SL-202511020105.csv"), 200, "01:05 CDT")
        XCTAssertEqual(try status("/2025/11/By_Interval/02/RTBM-LMP-SL-202511020105d.csv"), 200, "01:05 CST")
        XCTAssertEqual(try status("/2025/11/By_Interval/02/RTBM-LMP-SL-202511020200d.csv"), 404, "02:00 is not repeated")
        XCTAssertEqual(try status("/2025/03/By_Interval/09/RTBM-LMP-SL-202503090230.csv"), 404, "the spring gap has no 02:30")
        XCTAssertEqual(try status("/2026/12/By_Interval/03/RTBM-LMP-SL-202612031105.csv"), 404, "after the simulated now")
        let latest = try text(download, [("path", "/RTBM-LMP-SL-latestInterval.csv")]).body
        XCTAssertTrue(latest.contains("\n12/03/2026 11:00:00,12/03/2026 17:00:00,AECI,"), latest)
        let first = try text(download, [("path", "/2025/11/By_Interval/02/RTBM-LMP-SL-202511020105.csv")]).body
        let second = try text(download, [("path", "/2025/11/By_Interval/02/RTBM-LMP-SL-202511020105d.csv")]).body
        XCTAssertTrue(first.contains(",11/02/2025 06:05:00,") && second.contains(",11/02/2025 07:05:00,"), "the two passes differ in UTC")
    }
}
