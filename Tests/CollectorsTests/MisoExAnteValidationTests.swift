import CollectionFramework
import Collectors
import Foundation
import XCTest

/// Every ex-ante validation rule has a payload that passes and one that fails with that rule's id.
final class MisoExAnteValidationTests: XCTestCase {
    private let collector = try! MisoExAnteLMPCollector(configuration: CollectorConfiguration(name: "miso-exante-lmp"))
    private var candidate: DownloadCandidate {
        try! collector.candidates(for: CollectionRequest(collectionTime: Date(timeIntervalSince1970: 1_785_158_262)))[0]
    }
    private typealias P = ExAntePayloads

    private func assertValid(_ data: Data, hubs: Int? = nil, file: StaticString = #filePath, line: UInt = #line) {
        let result = collector.validate(data, for: candidate)
        XCTAssertTrue(result.isValid, "\(result.failure.map(String.init(describing:)) ?? "")", file: file, line: line)
        if let hubs, case .valid(let report) = result { XCTAssertEqual(report.recordCount, hubs, file: file, line: line) }
    }

    @discardableResult
    private func assertFails(_ data: Data, _ rule: String, record: Int? = nil, field: String? = nil, mentioning words: [String] = [],
                             file: StaticString = #filePath, line: UInt = #line) -> ValidationFailure? {
        guard let failure = collector.validate(data, for: candidate).failure else {
            XCTFail("expected [\(rule)] but the payload was accepted", file: file, line: line)
            return nil
        }
        XCTAssertEqual(failure.rule, rule, failure.description, file: file, line: line)
        if let record { XCTAssertEqual(failure.recordIndex, record, failure.description, file: file, line: line) }
        if let field { XCTAssertEqual(failure.field, field, failure.description, file: file, line: line) }
        for word in words { XCTAssertTrue(failure.reason.contains(word), "\(failure.reason) lacks \(word)", file: file, line: line) }
        return failure
    }

    func testTheLiveExampleFromTheAPINotesIsValid() {
        XCTAssertEqual(collector.validate(P.apiNotesExample, for: candidate), .valid(ValidationReport(recordCount: 2, shape: "live")))
        assertValid(P.payload(hubs: .array(P.nineHubs)), hubs: 9)
    }

    func testRuleIdsAreDistinctAndListed() {
        XCTAssertEqual(Set(MisoExAnteLMPRule.all).count, MisoExAnteLMPRule.all.count)
        XCTAssertEqual(MisoExAnteLMPRule.all.count, 7)
    }

    func testJSONStructure() {
        assertValid(P.payload())
        assertFails(Data("not json".utf8), "json_structure", mentioning: ["not valid JSON"])
        assertFails(Data("[]".utf8), "json_structure", mentioning: ["JSON object"])
        assertFails(Data(#"{"RefId": "27-Jul-2026 - Interval 08:15 EST"}"#.utf8), "json_structure", field: "LMPData", mentioning: ["RefId"])
        assertFails(P.payload(exAnte: .string("x")), "json_structure", field: "LMPData.ExAnteLMP")
        assertFails(P.payload(hubs: .object([:])), "json_structure", field: "LMPData.ExAnteLMP.Hub", mentioning: ["array"])
        assertFails(P.payload(hubs: nil), "json_structure", field: "LMPData.ExAnteLMP.Hub")
        assertFails(P.payload(hubs: .array([P.hub(), .int(3)])), "json_structure", record: 1, mentioning: ["object"])
        assertFails(P.payload(hubs: .array([P.hub(name: .string(""))])), "json_structure", field: "name")
        assertFails(P.payload(hubs: .array([P.hub(name: .int(1))])), "json_structure", field: "name")
        assertFails(P.payload(hubs: .array([P.hub(), P.hub(name: .string("MS.HUB"), loss: nil)])), "json_structure", record: 1, field: "loss",
                    mentioning: ["MS.HUB"])
    }

    func testRefIdParsesToADateAndInterval() {
        assertValid(P.payload(refId: .string("1-Jan-2026 - Interval 00:00 EST"), hourAndMin: .string("00:00")))
        assertValid(P.payload(refId: .string("29-Feb-2028 - Interval 23:55 EST"), hourAndMin: .string("23:55")))
        for bad: JSONValue in [.string("not a reference"), .string("30-Feb-2026 - Interval 08:15 EST"), .string("27-Jul-2026 - Interval 08:15"),
                               .string("27-Jul-2026 - Interval 24:15 EST"), .string("27-Foo-2026 - Interval 08:15 EST"), .int(5), .null] {
            assertFails(P.payload(refId: bad), "exante_refid", field: "LMPData.RefId", mentioning: ["Interval 08:15 EST"])
        }
        assertFails(P.payload(refId: nil), "exante_refid", mentioning: ["missing"])
    }

    func testHourAndMinIsHHMM() {
        assertValid(P.payload(refId: .string("27-Jul-2026 - Interval 13:05 EST"), hourAndMin: .string("13:05")))
        for bad: JSONValue in [.string("8:15"), .string("08:15:00"), .string("0815"), .string("25:00"), .string("08:60"), .int(815), .null] {
            assertFails(P.payload(hourAndMin: bad), "exante_hour_format", field: "LMPData.ExAnteLMP.HourAndMin")
        }
        assertFails(P.payload(hourAndMin: nil), "exante_hour_format")
    }

    func testHourAndMinAgreesWithRefId() {
        assertValid(P.payload(refId: .string("27-Jul-2026 - Interval 09:15 EST"), hourAndMin: .string("09:15")))
        let failure = assertFails(P.payload(hourAndMin: .string("09:15")), "exante_hour_matches_refid", mentioning: ["09:15", "08:15"])
        XCTAssertEqual(failure?.values["HourAndMin"], "09:15")
    }

    func testAtLeastOneHub() {
        assertValid(P.payload(hubs: .array([P.hub()])), hubs: 1)
        assertFails(P.payload(hubs: .array([])), "exante_hubs_present", field: "LMPData.ExAnteLMP.Hub", mentioning: ["empty"])
    }

    func testHubNamesAreUnique() {
        assertValid(P.payload(hubs: .array([P.hub(name: .string("A")), P.hub(name: .string("a"))])), hubs: 2)
        let failure = assertFails(P.payload(hubs: .array([P.hub(), P.hub(name: .string("MS.HUB")), P.hub()])), "exante_hub_names_unique",
                                  record: 2, field: "name", mentioning: ["ARKANSAS.HUB", "0", "2"])
        XCTAssertEqual(failure?.values["first"], "0")
    }

    func testLMPLossAndCongestionAreFiniteNumbersInStrings() {
        assertValid(P.payload(hubs: .array([P.hub(lmp: .string("-1e2"), loss: .string("0"), congestion: .string("0.00"))])))
        for field in ["LMP", "loss", "congestion"] {
            for bad: JSONValue in [.string("abc"), .string("None"), .string(""), .string(" 1.5"), .string("NaN"), .string("inf"),
                                   .string("1e400"), .string("0x10"), .double(22.12), .null] {
                let hub = P.hub(lmp: field == "LMP" ? bad : .string("22.12"), loss: field == "loss" ? bad : .string("-1.67"),
                                congestion: field == "congestion" ? bad : .string("-1.91"))
                assertFails(P.payload(hubs: .array([P.hub(name: .string("X")), hub])), "exante_price_numeric", record: 1, field: field,
                            mentioning: [field, "ARKANSAS.HUB"])
            }
        }
    }

    func testRulesAreCheckedInOrder() {
        // A payload breaking both the hour and the hubs reports the hour first.
        assertFails(P.payload(hourAndMin: .string("9:99"), hubs: .array([])), "exante_hour_format")
        assertFails(P.payload(hubs: .array([P.hub(), P.hub(lmp: .string("x"))])), "exante_hub_names_unique")
    }
}

/// Builds ex-ante payloads with any field replaced (a value) or removed (nil).
enum ExAntePayloads {
    static let hubNames = ["ARKANSAS.HUB", "ILLINOIS.HUB", "INDIANA.HUB", "LOUISIANA.HUB", "MICHIGAN.HUB", "MINN.HUB", "MS.HUB", "SWPP", "TEXAS.HUB"]

    static func hub(name: JSONValue? = .string("ARKANSAS.HUB"), lmp: JSONValue? = .string("22.12"), loss: JSONValue? = .string("-1.67"),
                    congestion: JSONValue? = .string("-1.91")) -> JSONValue {
        var hub = JSONObject()
        hub["name"] = name
        hub["LMP"] = lmp
        hub["loss"] = loss
        hub["congestion"] = congestion
        return .object(hub)
    }

    static var nineHubs: [JSONValue] { hubNames.enumerated().map { hub(name: .string($1), lmp: .string("\(20 + $0).5")) } }

    static func payload(refId: JSONValue? = .string("27-Jul-2026 - Interval 08:15 EST"), hourAndMin: JSONValue? = .string("08:15"),
                        hubs: JSONValue? = .array([hub(), hub(name: .string("ILLINOIS.HUB"), lmp: .string("24.84"), loss: .string("-0.86"),
                                                              congestion: .string("0.00"))]),
                        exAnte: JSONValue? = nil) -> Data {
        var inner = JSONObject()
        inner["HourAndMin"] = hourAndMin
        inner["Hub"] = hubs
        var lmpData = JSONObject()
        lmpData["RefId"] = refId
        lmpData["ExAnteLMP"] = exAnte ?? .object(inner)
        return Data(JSONValue.object(["LMPData": .object(lmpData)]).serialized().utf8)
    }

    /// The example in shared/docs/miso-public-api.md, as printed there.
    static let apiNotesExample = Data("""
        {"LMPData": {"RefId": "27-Jul-2026 - Interval 08:15 EST",
          "ExAnteLMP": {"HourAndMin": "08:15", "Hub": [
            {"name": "ARKANSAS.HUB", "LMP": "22.12", "loss": "-1.67", "congestion": "-1.91"},
            {"name": "ILLINOIS.HUB", "LMP": "24.84", "loss": "-0.86", "congestion": "0.00"}]}}}
        """.utf8)
}
