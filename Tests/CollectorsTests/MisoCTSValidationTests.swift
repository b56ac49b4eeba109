import CollectionFramework
import Collectors
import Foundation
import XCTest

/// Every validation rule has a payload that passes and one that fails with that rule's id.
final class MisoCTSValidationTests: XCTestCase {
    private let collector = try! MisoCTSCollector(configuration: CollectorConfiguration(name: "miso-cts"))
    private let snapshot = try! MisoCTSCollector(configuration: CollectorConfiguration(name: "miso-cts"))
        .candidates(for: CollectionRequest(collectionTime: Date(timeIntervalSince1970: 1_737_382_354)))[0]
    private let dayCandidate = try! MisoCTSCollector(configuration: CollectorConfiguration(name: "miso-cts"))
        .candidates(for: CollectionRequest(mode: .day(CalendarDate(year: 2025, month: 1, day: 20)!)))[0]

    private typealias P = CTSPayloads

    private func assertValid(_ data: Data, for candidate: DownloadCandidate? = nil, records: Int? = nil,
                             file: StaticString = #filePath, line: UInt = #line) {
        let result = collector.validate(data, for: candidate ?? snapshot)
        XCTAssertTrue(result.isValid, "\(result.failure.map(String.init(describing:)) ?? "")", file: file, line: line)
        if let records, case .valid(let report) = result { XCTAssertEqual(report.recordCount, records, file: file, line: line) }
    }

    @discardableResult
    private func assertFails(_ data: Data, _ rule: String, for candidate: DownloadCandidate? = nil, record: Int? = nil, field: String? = nil,
                             mentioning words: [String] = [], file: StaticString = #filePath, line: UInt = #line) -> ValidationFailure? {
        let result = collector.validate(data, for: candidate ?? snapshot)
        guard let failure = result.failure else {
            XCTFail("expected [\(rule)] but the payload was accepted", file: file, line: line)
            return nil
        }
        XCTAssertEqual(failure.rule, rule, failure.description, file: file, line: line)
        if let record { XCTAssertEqual(failure.recordIndex, record, failure.description, file: file, line: line) }
        if let field { XCTAssertEqual(failure.field, field, failure.description, file: file, line: line) }
        for word in words { XCTAssertTrue(failure.reason.contains(word), "\(failure.reason) lacks \(word)", file: file, line: line) }
        return failure
    }

    // MARK: - Documented shape

    func testValidDocumentedPayloadReportsCountQualityAndShape() {
        let result = collector.validate(P.documented(), for: snapshot)
        XCTAssertEqual(result, .valid(ValidationReport(recordCount: 2, shape: "documented", labels: ["quality": "FORECAST"])))
        // An empty data array was accepted before issue 11 and is refused now (data_non_empty).
        let specExample = #"""
        {"data": [{"timestamp": "2025-01-20T09:00:00-05:00", "interval": "09:00", "node": "MISO.PJM.INTERFACE1",
          "forecastedLMP": {"total": 45.50, "components": {"energy": 42.00, "congestion": 2.50, "losses": 1.00}, "direction": "export"},
          "transactionVolume": {"mwh": 250.5, "direction": "MISO_TO_PJM"}}],
         "metadata": {"operatingDay": "2025-01-20", "retrievalTimestamp": "2025-01-20T09:12:00-05:00", "dataQuality": "FORECAST"}}
        """#
        assertValid(Data(specExample.utf8), for: dayCandidate, records: 1)
    }

    func testJSONStructure() {
        assertValid(P.documented())
        assertFails(Data("not json".utf8), "json_structure", mentioning: ["not valid JSON", "byte 1"])
        assertFails(Data("[]".utf8), "json_structure", mentioning: ["object", "array"])
        assertFails(Data(#"{"foo": 1}"#.utf8), "json_structure", mentioning: ["neither", "foo"])
        assertFails(P.data(.object(["metadata": .object(["dataQuality": .string("FORECAST")])])), "json_structure", field: "data")
        assertFails(P.data(.object(["data": .object([:]), "metadata": .object([:])])), "json_structure", field: "data", mentioning: ["array"])
        assertFails(P.data(.object(["data": .array([])])), "json_structure", field: "metadata")
        assertFails(P.data(.object(["data": .array([]), "metadata": .array([])])), "json_structure", field: "metadata")
        assertFails(P.documented([P.record(), .string("x")]), "json_structure", record: 1)
        assertFails(P.documented([P.record(losses: nil)]), "json_structure", record: 0, field: "forecastedLMP.components.losses")
        assertFails(P.documented([P.record(transactionDirection: nil)]), "json_structure", field: "transactionVolume.direction")
        assertFails(P.documented([P.record(timestamp: nil)]), "json_structure", field: "timestamp")
        assertFails(P.documented([P.record(node: .int(3))]), "json_structure", field: "node", mentioning: ["string"])
        var noLMP = JSONObject()
        noLMP["timestamp"] = .string("t"); noLMP["interval"] = .string("09:00"); noLMP["node"] = .string("n")
        noLMP["forecastedLMP"] = .double(45.5)
        assertFails(P.documented([.object(noLMP)]), "json_structure", field: "forecastedLMP", mentioning: ["object"])
    }

    func testLMPArithmetic() {
        assertValid(P.documented([P.record(total: .double(45.51))]))   // off by 0.01: inside the tolerance
        assertValid(P.documented([P.record(total: .double(-3), energy: .double(-1), congestion: .double(-1.5), losses: .double(-0.5))]))
        let failure = assertFails(P.documented([P.record(), P.record(total: .double(45.6))]), "lmp_arithmetic", record: 1,
                                  field: "forecastedLMP.total", mentioning: ["45.6", "45.5"])
        XCTAssertEqual(failure?.values["sum"], "45.5")
        assertFails(P.documented([P.record(total: .double(1e308), energy: .double(1e308), congestion: .double(1e308))]), "lmp_arithmetic")
    }

    func testIntervalFormat() {
        assertValid(P.documented([P.record(interval: .string("23:55"))]))
        assertFails(P.documented([P.record(interval: .string("14:33"))]), "interval_format", field: "interval", mentioning: ["14:33"])
        assertFails(P.documented([P.record(interval: .string("9:00"))]), "interval_format")
        assertFails(P.documented([P.record(interval: .string("24:00"))]), "interval_format")
        assertFails(P.documented([P.record(interval: .int(900))]), "interval_format", mentioning: ["number"])
    }

    func testLMPDirection() {
        for ok in ["export", "import", "neutral"] { assertValid(P.documented([P.record(lmpDirection: .string(ok))])) }
        assertFails(P.documented([P.record(lmpDirection: .string("EXPORT"))]), "lmp_direction", field: "forecastedLMP.direction",
                    mentioning: ["export, import, neutral", "EXPORT"])
        assertFails(P.documented([P.record(lmpDirection: .null)]), "lmp_direction")
    }

    func testTransactionDirection() {
        for ok in ["MISO_TO_PJM", "PJM_TO_MISO", "BALANCED"] { assertValid(P.documented([P.record(transactionDirection: .string(ok))])) }
        assertFails(P.documented([P.record(transactionDirection: .string("MISO_TO_SPP"))]), "transaction_direction",
                    field: "transactionVolume.direction", mentioning: ["MISO_TO_SPP"])
    }

    func testNumericValues() {
        assertValid(P.documented([P.record(total: .int(46), energy: .int(42), congestion: .int(3), losses: .int(1), mwh: .int(0))]))
        assertFails(P.documented([P.record(total: .string("45.5"))]), "numeric_values", field: "forecastedLMP.total",
                    mentioning: ["string", "45.5"])
        assertFails(P.documented([P.record(energy: .string("42"))]), "numeric_values", field: "forecastedLMP.components.energy")
        assertFails(P.documented([P.record(congestion: .bool(true))]), "numeric_values", field: "forecastedLMP.components.congestion")
        assertFails(P.documented([P.record(losses: .null)]), "numeric_values", field: "forecastedLMP.components.losses")
        assertFails(P.documented([P.record(mwh: .string("250.5"))]), "numeric_values", field: "transactionVolume.mwh")
    }

    func testVolumeNonNegative() {
        assertValid(P.documented([P.record(mwh: .double(0))]))
        assertFails(P.documented([P.record(mwh: .double(-0.5))]), "volume_non_negative", field: "transactionVolume.mwh", mentioning: ["-0.5"])
    }

    func testDataQuality() {
        for ok in ["FORECAST", "PRELIMINARY", "VALIDATED"] {
            XCTAssertEqual(collector.validate(P.documented(dataQuality: .string(ok)), for: snapshot),
                           .valid(ValidationReport(recordCount: 2, shape: "documented", labels: ["quality": ok])))
        }
        assertFails(P.documented(dataQuality: .string("ESTIMATE")), "data_quality", field: "metadata.dataQuality", mentioning: ["ESTIMATE"])
        assertFails(P.documented(dataQuality: nil), "data_quality", mentioning: ["missing"])
    }

    func testOperatingDay() {
        assertValid(P.documented(operatingDay: .string("2025-01-20")), for: dayCandidate)
        // A snapshot asked for no date, so any operating day is accepted.
        assertValid(P.documented(operatingDay: .string("2025-01-21")), for: snapshot)
        let failure = assertFails(P.documented(operatingDay: .string("2025-01-21")), "operating_day", for: dayCandidate,
                                  field: "metadata.operatingDay", mentioning: ["2025-01-21", "2025-01-20"])
        XCTAssertEqual(failure?.values["requested"], "2025-01-20")
        assertFails(P.documented(operatingDay: nil), "operating_day", for: dayCandidate)
    }

    // MARK: - Live shape

    func testValidLivePayloadReportsShapeLive() {
        XCTAssertEqual(collector.validate(P.live(), for: snapshot), .valid(ValidationReport(recordCount: 2, shape: "live")))
        let observed = #"""
        {"RefId": "27-Jul-2026 - Interval 08:00 EST", "Interval": [
          {"CASEAPPROVALDATE": "2026-07-27 8:04:09 AM", "SOLUTIONTIME": "2026-07-27 8:00:00 AM", "PJMFORECASTEDLMP": "45.73"},
          {"CASEAPPROVALDATE": "2026-07-27 8:04:09 AM", "SOLUTIONTIME": "2026-07-27 8:15:00 AM", "PJMFORECASTEDLMP": "48.93"}]}
        """#
        assertValid(Data(observed.utf8), records: 2)
        assertValid(P.live(entries: [P.liveEntry(solution: .string("2026-07-27 12:55:00 PM"))]))
    }

    func testLiveRefId() {
        assertValid(P.live(refId: .string("7-Jan-2026 - Interval 23:55 EST")))
        assertFails(P.live(refId: .string("garbage")), "live_refid", field: "RefId", mentioning: ["garbage"])
        assertFails(P.live(refId: .string("32-Jul-2026 - Interval 08:00 EST")), "live_refid")
        assertFails(P.live(refId: .string("27-Jux-2026 - Interval 08:00 EST")), "live_refid")
        assertFails(P.live(refId: .string("27-Jul-2026 - Interval 8:00 EST")), "live_refid")
        assertFails(P.live(refId: .string("27-Jul-2026 - Interval 08:00 EDT")), "live_refid")
        assertFails(P.live(refId: nil), "live_refid", mentioning: ["missing"])
        assertFails(P.live(refId: .int(5)), "live_refid")
    }

    func testLiveStructure() {
        assertFails(P.data(.object(["RefId": .string("27-Jul-2026 - Interval 08:00 EST")])), "json_structure", field: "Interval")
        assertFails(P.data(.object(["RefId": .string("27-Jul-2026 - Interval 08:00 EST"), "Interval": .string("x")])), "json_structure")
        assertFails(P.live(entries: [P.liveEntry(), .int(1)]), "json_structure", record: 1)
        assertFails(P.live(entries: [P.liveEntry(price: nil)]), "json_structure", field: "PJMFORECASTEDLMP")
    }

    func testLiveNonEmpty() {
        assertValid(P.live(entries: [P.liveEntry()]), records: 1)
        assertFails(P.live(entries: []), "live_non_empty", mentioning: ["empty"])
    }

    func testLiveTimeFormat() {
        assertValid(P.live(entries: [P.liveEntry(approval: .string("2026-07-27 12:04:09 AM"))]))
        assertFails(P.live(entries: [P.liveEntry(solution: .string("2026-07-27 08:00:00"))]), "live_time_format", field: "SOLUTIONTIME")
        assertFails(P.live(entries: [P.liveEntry(solution: .string("2026-07-27T08:00:00"))]), "live_time_format")
        assertFails(P.live(entries: [P.liveEntry(approval: .string("2026-07-27 13:04:09 PM"))]), "live_time_format", field: "CASEAPPROVALDATE")
        assertFails(P.live(entries: [P.liveEntry(approval: .string("2026-02-30 8:04:09 AM"))]), "live_time_format")
        assertFails(P.live(entries: [P.liveEntry(approval: .int(0))]), "live_time_format")
    }

    func testLiveIntervalGrid() {
        assertValid(P.live(entries: [P.liveEntry(solution: .string("2026-07-27 8:05:00 AM"))]))
        assertFails(P.live(entries: [P.liveEntry(), P.liveEntry(solution: .string("2026-07-27 8:03:00 AM"))]), "live_interval_grid",
                    record: 1, field: "SOLUTIONTIME", mentioning: ["8:03:00"])
        assertFails(P.live(entries: [P.liveEntry(solution: .string("2026-07-27 8:05:30 AM"))]), "live_interval_grid")
    }

    func testLivePriceNumeric() {
        assertValid(P.live(entries: [P.liveEntry(price: .string("-1.91"))]))
        assertValid(P.live(entries: [P.liveEntry(price: .string("0"))]))
        for bad: JSONValue in [.string("None"), .string("NaN"), .string("inf"), .string("1e309"), .string(" 45.73"), .string(""),
                               .string("0x10"), .double(45.73), .null] {
            assertFails(P.live(entries: [P.liveEntry(price: bad)]), "live_price_numeric", field: "PJMFORECASTEDLMP")
        }
    }

    func testALiveAnswerToADateOrFilterRequestIsRefusedBecauseTheFeedIgnoresFilters() throws {
        // Even when the live answer happens to be for the requested day, storing it as that day's
        // filtered object would mislabel it.
        let july27 = try collector.candidates(for: CollectionRequest(mode: .day(CalendarDate(year: 2026, month: 7, day: 27)!)))[0]
        assertFails(P.live(), "live_filters_ignored", for: july27, field: "RefId", mentioning: ["date=2026-07-27", "ignores query parameters"])
        assertFails(P.live(), "live_filters_ignored", for: dayCandidate, field: "RefId", mentioning: ["date=2025-01-20", "ignores query parameters"])
        let filtered = try collector.candidates(for: CollectionRequest(mode: .snapshot, filters: ["interval": "14:35", "node": "MISO.PJM.INTERFACE1"]))[0]
        assertFails(P.live(), "live_filters_ignored", for: filtered, field: "RefId",
                    mentioning: ["interval=14:35", "node=MISO.PJM.INTERFACE1", "--interval"])
        assertValid(P.live(), for: snapshot)
    }

    func testAnEmptyDocumentedDataArrayIsRefused() throws {
        assertFails(P.documented([]), "data_non_empty", field: "data", mentioning: ["empty"])
    }
}
