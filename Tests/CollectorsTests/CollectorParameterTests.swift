import CollectionFramework
import Collectors
import Foundation
import XCTest

/// Typed collector parameters: each kind's check both ways, unknown names, the `--param` reader with
/// CTS's aliases, the MISO declarations, and the typed candidate context. (The runner's check of any
/// collector's parameters: `CollectionFrameworkTests/RunnerParameterCheckTests`.)
final class CollectorParameterTests: XCTestCase {
    private func problem(_ kind: CollectorParameter.Kind, _ value: String, example: String? = nil) -> String? {
        CollectorParameter("p", kind, help: "a parameter", example: example).problem(with: value)
    }

    func testStringKind() {
        XCTAssertNil(problem(.string(maxLength: 5), "abc"))
        XCTAssertEqual(problem(.string(maxLength: 5), "  ", example: "X1"), "the p must not be empty; give a value such as X1")
        XCTAssertEqual(problem(.string(maxLength: 5), "abcdef"), "6 characters is longer than the 5 accepted")
        XCTAssertEqual(problem(.string(maxLength: 5), "a\nb"), "control characters (newlines, tabs, NUL...) are not accepted")
    }

    func testIntegerKind() {
        XCTAssertNil(problem(.integer(1...10), "10"))
        XCTAssertEqual(problem(.integer(1...10), "11"), "expected a whole number from 1 to 10")
        XCTAssertEqual(problem(.integer(1...10), "2.5", example: "3"), "expected a whole number from 1 to 10, e.g. 3")
    }

    func testChoiceKind() {
        XCTAssertNil(problem(.choice(["realtime", "dayahead"]), "dayahead"))
        XCTAssertEqual(problem(.choice(["realtime", "dayahead"]), "realtim"), #"expected one of realtime, dayahead (did you mean "realtime"?)"#)
        XCTAssertEqual(problem(.choice(["realtime", "dayahead"]), "weekly"), "expected one of realtime, dayahead")
    }

    func testTimeKindOnItsGrid() {
        for good in ["00:00", "14:35", "23:55"] { XCTAssertNil(problem(.time(gridMinutes: 5), good), good) }
        for bad in ["14:33", "24:00", "9:05", "14:60", "1435", "14:3a", ""] {
            XCTAssertEqual(problem(.time(gridMinutes: 5), bad, example: "14:35"),
                           "expected HH:MM with hour 00-23 and minutes on the 5-minute grid (00, 05, ..., 55), e.g. 14:35", bad)
        }
        XCTAssertNil(problem(.time(gridMinutes: 15), "10:45"))
        XCTAssertEqual(problem(.time(gridMinutes: 15), "10:50"), "expected HH:MM with hour 00-23 and minutes on the 15-minute grid (00, 15, 30, 45)")
        XCTAssertNil(problem(.time(gridMinutes: 1), "10:59"))
        XCTAssertEqual(problem(.time(gridMinutes: 1), "10:60"), "expected HH:MM with hour 00-23 and minutes 00-59")
    }

    func testDateKind() {
        XCTAssertNil(problem(.date, "2024-02-29"))
        XCTAssertEqual(problem(.date, "2025-02-29"), "expected a real date in YYYY-MM-DD form")
        XCTAssertEqual(problem(.date, "20250120", example: "2025-01-20"), "expected a real date in YYYY-MM-DD form, e.g. 2025-01-20")
    }

    func testAnUnknownNameNamesTheKnownOnesWithASuggestion() {
        let declared = MisoCTSCollector.parameters
        XCTAssertThrowsError(try CollectorParameter.check(["nodes": "X"], against: declared, collector: "miso.cts")) { error in
            XCTAssertEqual("\(error)", #"unknown filter "nodes" for miso.cts (did you mean "node"?): accepted filters are interval, node"#)
        }
        XCTAssertThrowsError(try CollectorParameter.check(["nope": "1"], against: declared, collector: "miso.cts")) { error in
            XCTAssertEqual("\(error)", #"unknown filter "nope" for miso.cts (did you mean "node"?): accepted filters are interval, node"#)
        }
        XCTAssertThrowsError(try CollectorParameter.check(["frequency": "1"], against: declared, collector: "miso.cts")) { error in
            XCTAssertEqual("\(error)", #"unknown filter "frequency" for miso.cts: accepted filters are interval, node"#)
        }
        XCTAssertThrowsError(try CollectorParameter.check(["interval": "14:35"], against: MisoExAnteLMPCollector.parameters, collector: "miso.exante_lmp")) { error in
            XCTAssertEqual("\(error)", #"unknown filter "interval" for miso.exante_lmp: it accepts no filters"#)
        }
        XCTAssertNoThrow(try CollectorParameter.check(["interval": "14:35", "node": "MISO.PJM.INTERFACE1"], against: declared, collector: "miso.cts"))
    }

    func testTheMisoCollectorsDeclareTypedParameters() {
        XCTAssertEqual(MisoCTSCollector.parameters.map(\.name), ["interval", "node"])
        XCTAssertEqual(MisoCTSCollector.parameters.map(\.kind), [.time(gridMinutes: 5), .string(maxLength: 200)])
        XCTAssertEqual(MisoCTSCollector.parameters.map(\.kindDescription), ["HH:MM on the 5-minute grid", "text (up to 200 characters)"])
        XCTAssertEqual(MisoExAnteLMPCollector.parameters, [])
        XCTAssertEqual(MisoBindingConstraintsCollector.parameters, [])
    }

    func testCTSMessagesNameTheParameterTheValueAndWhatIsAccepted() {
        let cases: [([String: String], String)] = [
            (["interval": "14:37"], #"invalid interval "14:37" for miso.cts: expected HH:MM with hour 00-23 and minutes on the 5-minute grid (00, 05, ..., 55), e.g. 14:35"#),
            (["node": " "], #"invalid node " " for miso.cts: the node must not be empty; give an interface node name such as MISO.PJM.INTERFACE1"#),
            (["node": "A\tB"], #"invalid node "A\tB" for miso.cts: control characters (newlines, tabs, NUL...) are not accepted in a node name"#),
            (["node": String(repeating: "N", count: 201)], "invalid node \"\(String(repeating: "N", count: 40))\"… for miso.cts: 201 characters is longer than the 200 accepted"),
        ]
        for (values, message) in cases {
            XCTAssertThrowsError(try MisoCTSFilters(values)) { XCTAssertEqual("\($0)", message) }
            XCTAssertThrowsError(try CollectorParameter.check(values, against: MisoCTSCollector.parameters, collector: "miso.cts")) {
                XCTAssertEqual("\($0)", message)
            }
        }
    }

    // MARK: --param and its aliases

    private let ctsAliases = { (interval: String?, node: String?) in
        [ParameterArguments.Alias(flag: "--interval", parameter: "interval", value: interval),
         ParameterArguments.Alias(flag: "--node", parameter: "node", value: node)]
    }

    func testAnAliasIsTheSameAsItsParam() throws {
        let byAlias = try ParameterArguments.parse([], aliases: ctsAliases("14:35", "MISO.PJM.INTERFACE1"))
        let byParam = try ParameterArguments.parse(["interval=14:35", "node=MISO.PJM.INTERFACE1"], aliases: ctsAliases(nil, nil))
        XCTAssertEqual(byAlias, ["interval": "14:35", "node": "MISO.PJM.INTERFACE1"])
        XCTAssertEqual(byAlias, byParam)
        // The same value twice is harmless; `=` may appear inside a value.
        XCTAssertEqual(try ParameterArguments.parse(["interval=14:35"], aliases: ctsAliases("14:35", nil)), ["interval": "14:35"])
        XCTAssertEqual(try ParameterArguments.parse(["q=a=b"]), ["q": "a=b"])
    }

    func testConflictingOrMalformedParamsAreRefused() {
        XCTAssertThrowsError(try ParameterArguments.parse(["interval=14:40"], aliases: ctsAliases("14:35", nil))) { error in
            XCTAssertEqual("\(error)", "interval is given twice (--interval 14:35 and --param interval=14:40); give it once")
        }
        XCTAssertThrowsError(try ParameterArguments.parse(["node=A", "node=B"])) { error in
            XCTAssertEqual("\(error)", "node is given twice (--param node=A and --param node=B); give it once")
        }
        for bad in ["interval", "=14:35"] {
            XCTAssertThrowsError(try ParameterArguments.parse([bad]), bad) { error in
                XCTAssertEqual("\(error)", "--param \(String(reflecting: bad)) must be NAME=VALUE, e.g. --param interval=14:35")
            }
        }
    }

    func testConfiguredParametersAreDefaultsTheRequestOverrides() throws {
        let cts = try MisoCTSCollector(configuration: CollectorConfiguration(
            name: "miso-cts", parameters: ["node": "MISO.PJM.INTERFACE1", "interval": "10:00"]))
        let day = CalendarDate(year: 2025, month: 1, day: 20)!
        let candidate = try XCTUnwrap(try cts.candidates(for: CollectionRequest(mode: .day(day), filters: ["interval": "14:35"])).first)
        XCTAssertEqual(candidate.identifier, "cts_20250120_int1435_MISO_PJM_INTERFACE1.json")
        XCTAssertEqual(candidate.context, CandidateContext(requestedDate: day, filters: ["interval": "14:35", "node": "MISO.PJM.INTERFACE1"]))
        XCTAssertEqual(candidate.timeout, Defaults.requestTimeout)
        XCTAssertThrowsError(try MisoCTSCollector(configuration: CollectorConfiguration(name: "miso-cts", parameters: ["intervall": "10:00"]))) { error in
            XCTAssertEqual("\(error)", #"unknown filter "intervall" for miso.cts (did you mean "interval"?): accepted filters are interval, node"#)
        }
    }

    // MARK: The validator reads the typed context, not the URL

    func testTheOperatingDayRuleReadsTheRequestedDateFromTheContext() throws {
        let collector = try MisoCTSCollector(configuration: CollectorConfiguration(name: "miso-cts"))
        let day = try collector.candidates(for: CollectionRequest(mode: .day(CalendarDate(year: 2025, month: 1, day: 20)!)))[0]
        XCTAssertEqual(day.context.requestedDate, CalendarDate(year: 2025, month: 1, day: 20))
        let otherDay = CTSPayloads.documented(operatingDay: .string("2025-01-21"))
        XCTAssertEqual(collector.validate(otherDay, for: day).failure?.rule, "operating_day")
        // A `date` in the URL alone decides nothing: only the context does.
        var urlOnly = day
        urlOnly.context = CandidateContext()
        XCTAssertNil(collector.validate(otherDay, for: urlOnly).failure)
        var contextOnly = day
        contextOnly.queryParameters = []
        XCTAssertEqual(collector.validate(otherDay, for: contextOnly).failure?.rule, "operating_day")
        XCTAssertEqual(collector.validate(CTSPayloads.documented(operatingDay: .string("2025-01-20")), for: contextOnly).failure?.rule, nil)
    }

    func testSnapshotCandidatesHaveNoRequestedDate() throws {
        let ctsSnapshot = try MisoCTSCollector(configuration: CollectorConfiguration(name: "miso-cts")).candidates(for: CollectionRequest())[0]
        XCTAssertEqual(ctsSnapshot.context, CandidateContext())
        let exAnte = try MisoExAnteLMPCollector(configuration: CollectorConfiguration(name: "x")).candidates(for: CollectionRequest())[0]
        XCTAssertEqual(exAnte.context, CandidateContext())
    }
}
