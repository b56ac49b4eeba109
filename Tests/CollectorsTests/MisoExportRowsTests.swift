import CollectionFramework
import Collectors
import Foundation
import XCTest

/// Each MISO collector's rows for `scraper export`, from payloads of every shape it stores.
final class MisoExportRowsTests: XCTestCase {
    private func source(_ name: String, day: String = "2025-01-20") -> ExportSource {
        ExportSource(key: "sourcing/g/year=2025/month=01/day=20/\(name).gz", partitionDate: CalendarDate(iso: day)!)
    }

    private func cts() throws -> MisoCTSCollector { try MisoCTSCollector(configuration: CollectorConfiguration(name: "miso-cts")) }

    private func text(_ row: ExportRow, _ column: String) -> String? {
        if case .text(let value)? = row.values[column] { return value }
        return nil
    }

    private func number(_ row: ExportRow, _ column: String) -> Double? {
        if case .number(let value)? = row.values[column] { return value }
        return nil
    }

    func testDocumentedRecordsBecomeOneRowEachInUTCAndMisoTime() throws {
        let payload = CTSPayloads.documented([
            CTSPayloads.record(),
            CTSPayloads.record(timestamp: .string("2025-01-20T09:05:00-05:00"), interval: .string("09:05"), node: .string("MISO.PJM.INTERFACE2"),
                               total: .double(-3.25), energy: .double(-4), congestion: .double(0.5), losses: .double(0.25),
                               lmpDirection: .string("import"), mwh: .double(0), transactionDirection: .string("BALANCED")),
        ], dataQuality: .string("PRELIMINARY"))
        let exported = try cts().exportRows(from: payload, source: source("cts_20250120.json"))
        XCTAssertEqual(exported.rows.count, 2)
        let first = exported.rows[0], second = exported.rows[1]
        XCTAssertEqual(text(first, "interval_start_utc"), "2025-01-20T14:00:00Z")
        XCTAssertEqual(text(first, "interval_start_miso"), "2025-01-20T09:00:00-05:00")
        XCTAssertEqual(text(first, "node"), "MISO.PJM.INTERFACE1")
        XCTAssertEqual(number(first, "lmp_total"), 45.5)
        XCTAssertEqual(number(first, "lmp_energy"), 42)
        XCTAssertEqual(text(first, "lmp_direction"), "export")
        XCTAssertEqual(number(first, "volume_mwh"), 250.5)
        XCTAssertEqual(text(first, "volume_direction"), "MISO_TO_PJM")
        XCTAssertEqual(text(first, "data_quality"), "PRELIMINARY")
        XCTAssertEqual(text(first, "shape"), "documented")
        XCTAssertNil(first.values["pjm_forecasted_lmp"], "a documented row has no live columns")
        XCTAssertEqual(first.identity, "2025-01-20T14:00:00Z|MISO.PJM.INTERFACE1")
        XCTAssertEqual(text(second, "interval_start_utc"), "2025-01-20T14:05:00Z")
        XCTAssertEqual(number(second, "lmp_losses"), 0.25)
        XCTAssertEqual(text(second, "volume_direction"), "BALANCED")
        // A day object names no time: the payload's retrievalTimestamp (09:12 EST) is its collection time.
        XCTAssertEqual(exported.collectedAt, ISO8601DateFormatter().date(from: "2025-01-20T14:12:00Z"))
    }

    func testLiveEntriesGetTheirOwnColumnsAndTheSnapshotNameGivesTheCollectionTime() throws {
        let exported = try cts().exportRows(from: CTSPayloads.live(), source: source("cts_snapshot_20260727_0805.json"))
        XCTAssertEqual(exported.rows.count, 2)
        let row = exported.rows[0]
        XCTAssertEqual(text(row, "interval_start_utc"), "2026-07-27T13:00:00Z")
        XCTAssertEqual(text(row, "interval_start_miso"), "2026-07-27T08:00:00-05:00")
        XCTAssertEqual(number(row, "pjm_forecasted_lmp"), 45.73)
        XCTAssertEqual(text(row, "case_approval_utc"), "2026-07-27T13:04:09Z")
        XCTAssertEqual(text(row, "ref_id"), "27-Jul-2026 - Interval 08:00 EST")
        XCTAssertEqual(text(row, "shape"), "live")
        XCTAssertNil(row.values["node"], "the live feed names no node")
        XCTAssertEqual(number(exported.rows[1], "pjm_forecasted_lmp"), -1.91)
        XCTAssertEqual(exported.collectedAt, ISO8601DateFormatter().date(from: "2026-07-27T13:05:00Z"))
    }

    func testAPayloadOfNeitherShapeIsUnreadableAndNamesTheObject() throws {
        for payload in [Data("{\"other\": 1}".utf8), Data("not json".utf8), Data()] {
            XCTAssertThrowsError(try cts().exportRows(from: payload, source: source("cts_20250120.json"))) { error in
                guard case ExportError.unreadablePayload(let key, _) = error else { return XCTFail("\(error)") }
                XCTAssertTrue(key.hasSuffix("cts_20250120.json.gz"))
            }
        }
    }

    func testExAnteHubsAreRowsAtTheRefIdInterval() throws {
        let payload = Data(#"{"LMPData":{"RefId":"27-Jul-2026 - Interval 08:15 EST","ExAnteLMP":{"HourAndMin":"08:15","Hub":[{"name":"ARKANSAS.HUB","LMP":"22.12","loss":"-0.5","congestion":"1.25"},{"name":"MINN.HUB","LMP":"19","loss":"0","congestion":"-2"}]}}}"#.utf8)
        let collector = try MisoExAnteLMPCollector(configuration: CollectorConfiguration(name: "exante"))
        let exported = try collector.exportRows(from: payload, source: source("exante_lmp_snapshot_20260727_0816.json"))
        XCTAssertEqual(exported.rows.map { text($0, "hub") }, ["ARKANSAS.HUB", "MINN.HUB"])
        XCTAssertEqual(exported.rows.map { text($0, "interval_start_utc") }, ["2026-07-27T13:15:00Z", "2026-07-27T13:15:00Z"])
        XCTAssertEqual(number(exported.rows[0], "lmp"), 22.12)
        XCTAssertEqual(number(exported.rows[0], "loss"), -0.5)
        XCTAssertEqual(number(exported.rows[1], "congestion"), -2)
        XCTAssertEqual(exported.collectedAt, ISO8601DateFormatter().date(from: "2026-07-27T13:16:00Z"))
        XCTAssertThrowsError(try collector.exportRows(from: Data(#"{"LMPData":{}}"#.utf8), source: source("x.json")))
    }

    func testBindingConstraintsAreRowsWithOrderedBreakpointsAndNothingBindingIsNoRow() throws {
        let collector = try MisoBindingConstraintsCollector(configuration: CollectorConfiguration(name: "binding"))
        let binding = Data(#"{"RefId":"27-Jul-2026 - Interval 08:10 EST","Constraint":[{"Name":"LINE A","Period":"2026-07-27T08:10:00","Price":"-329.63","OVERRIDE":"0","CURVETYPE":"MW","BP10":"5","PC10":"6","BP2":"100","PC2":"10"}]}"#.utf8)
        let exported = try collector.exportRows(from: binding, source: source("binding_constraints_snapshot_20260727_0811.json"))
        XCTAssertEqual(exported.rows.count, 1)
        let row = exported.rows[0]
        XCTAssertEqual(text(row, "constraint"), "LINE A")
        XCTAssertEqual(text(row, "period_utc"), "2026-07-27T13:10:00Z")
        XCTAssertEqual(number(row, "price"), -329.63)
        XCTAssertEqual(text(row, "curve_type"), "MW")
        XCTAssertEqual(text(row, "breakpoints"), "BP2=100;PC2=10;BP10=5;PC10=6")
        let none = Data(#"{"RefId":"27-Jul-2026 - Interval 08:10 EST","Constraint":[{"Name":"None","Period":"None","Price":"0"}]}"#.utf8)
        XCTAssertEqual(try collector.exportRows(from: none, source: source("b.json")).rows, [])
    }
}
