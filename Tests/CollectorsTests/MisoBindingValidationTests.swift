import CollectionFramework
import Collectors
import Foundation
import XCTest

/// Every binding-constraint validation rule has a payload that passes and one that fails with that
/// rule's id; the documented "nothing binding" form is valid.
final class MisoBindingValidationTests: XCTestCase {
    private let collector = try! MisoBindingConstraintsCollector(configuration: CollectorConfiguration(name: "miso-binding-constraints"))
    private var candidate: DownloadCandidate { try! collector.candidates(for: CollectionRequest())[0] }
    private typealias P = BindingPayloads

    private func assertValid(_ data: Data, records: Int? = nil, shape: String? = nil, file: StaticString = #filePath, line: UInt = #line) {
        let result = collector.validate(data, for: candidate)
        XCTAssertTrue(result.isValid, "\(result.failure.map(String.init(describing:)) ?? "")", file: file, line: line)
        guard case .valid(let report) = result else { return }
        if let records { XCTAssertEqual(report.recordCount, records, file: file, line: line) }
        if let shape { XCTAssertEqual(report.shape, shape, file: file, line: line) }
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
        XCTAssertEqual(collector.validate(P.apiNotesExample, for: candidate), .valid(ValidationReport(recordCount: 2, shape: "binding")))
        XCTAssertEqual(Set(MisoBindingConstraintsRule.all).count, 7)
    }

    func testNothingBindingFormIsValid() {
        assertValid(P.payload(constraints: [P.nothingBinding()]), records: 0, shape: "nothing_binding")
        // Fewer fields than usual are still the documented form.
        assertValid(P.payload(constraints: [.object(["Name": .string("None"), "Price": .string("0")])]), records: 0, shape: "nothing_binding")
    }

    func testJSONStructure() {
        assertValid(P.payload())
        assertFails(Data("{".utf8), "json_structure", mentioning: ["not valid JSON"])
        assertFails(Data(#""RefId""#.utf8), "json_structure", mentioning: ["JSON object"])
        assertFails(P.payload(constraintsValue: .object([:])), "json_structure", field: "Constraint", mentioning: ["array"])
        assertFails(P.payload(omitConstraint: true), "json_structure", field: "Constraint", mentioning: ["missing"])
        assertFails(P.payload(constraints: [P.constraint(), .array([])]), "json_structure", record: 1)
        assertFails(P.payload(constraints: [P.constraint(name: nil)]), "json_structure", field: "Name")
        assertFails(P.payload(constraints: [P.constraint(name: .string(""))]), "json_structure", field: "Name")
        assertFails(P.payload(constraints: [P.constraint(period: nil)]), "json_structure", field: "Period")
        assertFails(P.payload(constraints: [P.constraint(price: nil)]), "json_structure", field: "Price")
    }

    func testRefIdParses() {
        assertValid(P.payload(refId: .string("5-Mar-2026 - Interval 23:55 EST"), period: "2026-03-05T23:55:00"))
        for bad: JSONValue in [.string("27-Jul-2026 Interval 08:10 EST"), .string("27-Jul-26 - Interval 08:10 EST"), .string(""), .bool(true)] {
            assertFails(P.payload(refId: bad), "binding_refid", field: "RefId")
        }
        assertFails(P.payload(refId: nil), "binding_refid")
    }

    func testConstraintArrayIsNotEmpty() {
        assertValid(P.payload(constraints: [P.constraint()]), records: 1)
        assertFails(P.payload(constraints: []), "binding_non_empty", field: "Constraint", mentioning: ["None"])
    }

    func testNoneFormMustBeAloneAndHoldOnlyNoneOrZero() {
        assertValid(P.payload(constraints: [P.nothingBinding()]))
        assertFails(P.payload(constraints: [P.constraint(), P.nothingBinding()]), "binding_none_form", record: 1, mentioning: ["only element"])
        var priced = P.nothingBinding()
        if case .object(var o) = priced { o["Price"] = .string("-12.5"); priced = .object(o) }
        let failure = assertFails(P.payload(constraints: [priced]), "binding_none_form", record: 0, field: "Price", mentioning: ["-12.5"])
        XCTAssertEqual(failure?.values["Price"], "\"-12.5\"")
        var numeric = P.nothingBinding()
        if case .object(var o) = numeric { o["BP1"] = .int(0); numeric = .object(o) }
        assertFails(P.payload(constraints: [numeric]), "binding_none_form", field: "BP1")
    }

    func testPeriodIsAnISOLocalTimeOnRefIdsDay() {
        assertValid(P.payload(period: "2026-07-27T00:00:00"))
        assertValid(P.payload(period: "2026-07-27T23:59:59"))
        for bad in ["2026-07-27 08:10:00", "2026-07-27T08:10", "2026-07-27T08:10:00Z", "2026-07-27T08:10:00-05:00", "2026-07-27T24:00:00",
                    "2026-07-32T08:10:00", "None", ""] {
            assertFails(P.payload(constraints: [P.constraint(), P.constraint(period: .string(bad))]), "binding_period", record: 1, field: "Period",
                        mentioning: ["ISO local time"])
        }
        assertFails(P.payload(constraints: [P.constraint(period: .int(1))]), "binding_period")
        let wrongDay = assertFails(P.payload(period: "2026-07-26T08:10:00"), "binding_period", mentioning: ["2026-07-26T08:10:00", "2026-07-27"])
        XCTAssertEqual(wrongDay?.values["RefId"], "27-Jul-2026 - Interval 08:10 EST")
    }

    func testPriceIsANumber() {
        assertValid(P.payload(constraints: [P.constraint(price: .string("0")), P.constraint(price: .string("1234.5"))]))
        for bad: JSONValue in [.string("n/a"), .string("None"), .string("-"), .string("1,5"), .string("Infinity"), .double(-329.63), .null] {
            assertFails(P.payload(constraints: [P.constraint(price: bad)]), "binding_price_numeric", record: 0, field: "Price")
        }
    }

    func testBreakpointFieldsAreNumbers() {
        var more = P.constraint()
        if case .object(var o) = more { o["BP3"] = .string("105"); o["PC3"] = .string("3000"); o["BPX"] = .string("text"); more = .object(o) }
        assertValid(P.payload(constraints: [more]))
        for field in ["BP1", "PC1", "BP2", "PC2"] {
            var c = P.constraint()
            if case .object(var o) = c { o[field] = .string("None"); c = .object(o) }
            assertFails(P.payload(constraints: [P.constraint(), c]), "binding_breakpoint_numeric", record: 1, field: field, mentioning: [field])
        }
        var extra = P.constraint()
        if case .object(var o) = extra { o["PC12"] = .double(5); extra = .object(o) }
        assertFails(P.payload(constraints: [extra]), "binding_breakpoint_numeric", field: "PC12")
    }
}

/// Builds binding-constraint payloads with any field replaced (a value) or removed (nil).
enum BindingPayloads {
    static func constraint(name: JSONValue? = .string("ALEWEC02_ROCKDAL1_66320_66"), period: JSONValue? = .string("2026-07-27T08:10:00"),
                           price: JSONValue? = .string("-329.63")) -> JSONValue {
        var c = JSONObject()
        c["Name"] = name
        c["Period"] = period
        c["Price"] = price
        c["OVERRIDE"] = .string("0")
        c["CURVETYPE"] = .string("PERCENT")
        c["BP1"] = .string("100")
        c["PC1"] = .string("700")
        c["BP2"] = .string("102")
        c["PC2"] = .string("1000")
        return .object(c)
    }

    /// The documented form for "nothing binds".
    static func nothingBinding() -> JSONValue {
        .object(JSONObject([("Name", .string("None")), ("Period", .string("None")), ("Price", .string("0")), ("OVERRIDE", .string("0")),
                            ("CURVETYPE", .string("None")), ("BP1", .string("0")), ("PC1", .string("0")), ("BP2", .string("0")), ("PC2", .string("0"))]))
    }

    /// `constraintsValue` replaces the whole `Constraint` value; `omitConstraint` leaves it out.
    static func payload(refId: JSONValue? = .string("27-Jul-2026 - Interval 08:10 EST"), period: String = "2026-07-27T08:10:00",
                        constraints: [JSONValue]? = nil, constraintsValue: JSONValue? = nil, omitConstraint: Bool = false) -> Data {
        var root = JSONObject()
        root["RefId"] = refId
        if !omitConstraint {
            root["Constraint"] = constraintsValue
                ?? .array(constraints ?? [constraint(period: .string(period)),
                                          constraint(name: .string("ALW16041_ABBOTT_ABBOTTRAER16_1_1"), period: .string(period),
                                                     price: .string("-27.61"))])
        }
        return Data(JSONValue.object(root).serialized().utf8)
    }

    /// The example in shared/docs/miso-public-api.md, as printed there.
    static let apiNotesExample = Data("""
        {"RefId": "27-Jul-2026 - Interval 08:10 EST",
         "Constraint": [
           {"Name": "ALEWEC02_ROCKDAL1_66320_66", "Period": "2026-07-27T08:10:00", "Price": "-329.63", "OVERRIDE": "0",
            "CURVETYPE": "PERCENT", "BP1": "100", "PC1": "700", "BP2": "102", "PC2": "1000"},
           {"Name": "ALW16041_ABBOTT_ABBOTTRAER16_1_1", "Period": "2026-07-27T08:10:00", "Price": "-27.61", "OVERRIDE": "0",
            "CURVETYPE": "PERCENT", "BP1": "100", "PC1": "1000", "BP2": "102", "PC2": "2000"}]}
        """.utf8)
}
