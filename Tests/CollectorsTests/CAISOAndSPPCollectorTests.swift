import CollectionFramework
import Collectors
import Foundation
import XCTest

/// CAISO's windows and rules, and SPP's file names, folders and rules.
final class CAISOAndSPPCollectorTests: XCTestCase {
    private let later = Date(timeIntervalSince1970: 1_800_000_000)  // 2027-01-15: every test day is over

    private func caiso(_ parameters: [String: String] = [:]) throws -> CAISOLMPCollector {
        try CAISOLMPCollector(configuration: CollectorConfiguration(name: "caiso", apiURL: "http://127.0.0.1:9/oasisapi/SingleZip", parameters: parameters))
    }

    private func request(_ day: String, filters: [String: String] = [:]) -> CollectionRequest {
        CollectionRequest(mode: .day(CalendarDate(iso: day)!), filters: filters, collectionTime: later)
    }

    func testAPacificTradingDayIsAskedAsItsUTCWindow() throws {
        let winter = try caiso().candidates(for: request("2025-01-20"))
        XCTAssertEqual(winter.map(\.identifier), ["caiso_lmp_DAM_20250120.csv"])
        XCTAssertEqual(winter[0].url, "http://127.0.0.1:9/oasisapi/SingleZip?resultformat=6&queryname=PRC_LMP&version=12&market_run_id=DAM"
                       + "&startdatetime=20250120T08%3A00-0000&enddatetime=20250121T08%3A00-0000&node=TH_NP15_GEN-APND%2CTH_SP15_GEN-APND%2CTH_ZP26_GEN-APND")
        let summer = try caiso().candidates(for: request("2025-07-14"))
        XCTAssertTrue(summer[0].url.contains("startdatetime=20250714T07%3A00-0000&enddatetime=20250715T07%3A00-0000"), summer[0].url)
        // The spring day is 23 hours (08:00Z to 07:00Z), the autumn one 25 (07:00Z to 08:00Z).
        XCTAssertTrue(try caiso().candidates(for: request("2025-03-09"))[0].url.contains("startdatetime=20250309T08%3A00-0000&enddatetime=20250310T07%3A00-0000"))
        XCTAssertTrue(try caiso().candidates(for: request("2025-11-02"))[0].url.contains("startdatetime=20251102T07%3A00-0000&enddatetime=20251103T08%3A00-0000"))
    }

    func testAllNodeRealTimeGoesHourByHourAndTenNodesAreTheMost() throws {
        let hours = try caiso().candidates(for: request("2025-11-02", filters: ["market": "RTM", "nodes": "ALL"]))
        XCTAssertEqual(hours.count, 25)
        XCTAssertEqual(hours.first?.identifier, "caiso_lmp_RTM_ALL_20251102_h01.csv")
        XCTAssertTrue(hours[0].url.contains("queryname=PRC_INTVL_LMP&version=3&market_run_id=RTM&startdatetime=20251102T07%3A00-0000&enddatetime=20251102T08%3A00-0000&grp_type=ALL"), hours[0].url)
        XCTAssertEqual(try caiso().candidates(for: request("2025-11-02", filters: ["market": "DAM", "nodes": "ALL"])).count, 1)

        let parameter = CAISOLMPCollector.parameters.first { $0.name == "nodes" }!
        XCTAssertNil(parameter.problem(with: "A,B,C"))
        XCTAssertTrue(parameter.problem(with: (1...11).map { "N\($0)" }.joined(separator: ","))?.contains("at most 10 nodes") ?? false)
        XCTAssertEqual(CAISOLMPCollector.politeness, SourcePoliteness(group: "caiso-oasis", minimumInterval: 5))
    }

    func testCAISORulesPassAndFail() throws {
        let collector = try caiso()
        for (day, rows) in [("2025-01-20", 120), ("2025-03-09", 115), ("2025-11-02", 125)] {
            let candidate = try collector.candidates(for: request(day, filters: ["nodes": "TH_NP15_GEN-APND"]))[0]
            guard case .valid(let report) = collector.validate(ISOPayloads.caisoDAM(day), for: candidate) else { return XCTFail(day) }
            XCTAssertEqual(report.recordCount, rows, day)
        }
        let candidate = try collector.candidates(for: request("2025-01-20", filters: ["nodes": "TH_NP15_GEN-APND"]))[0]
        let good = String(decoding: ISOPayloads.caisoDAM("2025-01-20"), as: UTF8.self)
        func rule(_ text: String) -> String? { collector.validate(Data(text.utf8), for: candidate).failure?.rule }
        var lines = good.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(rule(lines.dropLast(2).joined(separator: "\n") + "\n"), "caiso_interval_count")
        XCTAssertEqual(rule(good.replacingOccurrences(of: ",DAM,MCC,", with: ",RTM,MCC,")), "caiso_market")
        XCTAssertEqual(rule(good.replacingOccurrences(of: ",MCC,LMP_CONG_PRC,", with: ",MCC,LMP_PRC,")), "caiso_lmp_type")
        XCTAssertEqual(rule(good.replacingOccurrences(of: ",2025-01-20,", with: ",2025-01-21,")), "caiso_trade_date")
        XCTAssertEqual(rule(good.replacingOccurrences(of: "TH_NP15_GEN-APND,TH_NP15_GEN-APND,TH_NP15_GEN-APND", with: "X,X,X")), "caiso_node")
        lines[5] = lines[6]
        XCTAssertEqual(rule(lines.joined(separator: "\n")), "caiso_duplicate_row")
        let other = try collector.candidates(for: request("2025-01-19", filters: ["nodes": "TH_NP15_GEN-APND"]))[0]
        XCTAssertEqual(collector.validate(Data(good.utf8), for: other).failure?.rule, "caiso_window")
    }

    func testSPPFileNamesFoldersAndTheFallBackHour() throws {
        let collector = try SPPRealTimeLMPCollector(configuration: CollectorConfiguration(name: "spp", apiURL: "http://127.0.0.1:9/dl"))
        let summer = try collector.candidates(for: request("2024-06-30"))
        XCTAssertEqual(summer.count, 288)
        XCTAssertEqual(summer.last?.identifier, "RTBM-LMP-SL-202407010000.csv")
        XCTAssertEqual(summer.last?.url, "http://127.0.0.1:9/dl?path=%2F2024%2F06%2FBy_Interval%2F30%2FRTBM-LMP-SL-202407010000.csv")
        XCTAssertEqual(summer.last?.partitionDate, CalendarDate(iso: "2024-06-30"))
        XCTAssertEqual(try collector.candidates(for: request("2024-03-10")).count, 276)
        let autumn = try collector.candidates(for: request("2024-11-03")).map(\.identifier)
        XCTAssertEqual(autumn.count, 300)
        XCTAssertEqual(autumn.filter { $0.hasSuffix("d.csv") }, (0..<12).map { String(format: "RTBM-LMP-SL-2024110301%02dd.csv", $0 * 5) })
        XCTAssertEqual(Set(autumn).count, 300, "every file name is distinct")
        XCTAssertEqual(try collector.candidates(for: CollectionRequest(mode: .snapshot, collectionTime: Date(timeIntervalSince1970: 1_737_392_590))).map(\.identifier).last,
                       "RTBM-LMP-SL-202501201100.csv", "the latest interval ended at 11:00 Central")
    }

    func testSPPRulesPassAndFailAndTheBAAColumnMayMove() throws {
        let collector = try SPPRealTimeLMPCollector(configuration: CollectorConfiguration(name: "spp"))
        let candidate = try collector.candidates(for: request("2024-11-03"))[20]
        let end = Date(timeIntervalSince1970: Double(candidate.context.filters["interval_end"]!)!)
        guard case .valid(let report) = collector.validate(ISOPayloads.sppFile(end: end), for: candidate) else { return XCTFail() }
        XCTAssertEqual(report.recordCount, 5)
        XCTAssertTrue(collector.validate(ISOPayloads.sppFile(end: end, baaThird: true), for: candidate).isValid)
        XCTAssertEqual(collector.validate(ISOPayloads.sppFile(end: end.addingTimeInterval(300)), for: candidate).failure?.rule, "spp_interval")
        let good = String(decoding: ISOPayloads.sppFile(end: end), as: UTF8.self)
        let unbalanced = good.replacingOccurrences(of: ",25.0000,SPP", with: ",25.5000,SPP")
        guard case .valid(let warned) = collector.validate(Data(unbalanced.utf8), for: candidate) else { return XCTFail("a sum off is a warning") }
        XCTAssertEqual(warned.warnings.map(\.rule), ["spp_lmp_sum"])
        XCTAssertEqual(collector.validate(Data(good.replacingOccurrences(of: "SL_2,", with: "SL_1,").utf8), for: candidate).failure?.rule, "spp_duplicate_location")
        XCTAssertEqual(collector.validate(Data(good.replacingOccurrences(of: "Settlement Location", with: "Location").utf8), for: candidate).failure?.rule, "csv_header")
    }
}
