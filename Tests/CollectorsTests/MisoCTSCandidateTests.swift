import CollectionFramework
import Collectors
import Foundation
import XCTest

/// Candidate generation: identifiers, query parameters, partitions, headers and metadata for every
/// mode and filter combination, and the errors for bad filters.
final class MisoCTSCandidateTests: XCTestCase {
    private let endpoint = "https://public-api.misoenergy.org/api/CoordinatedTransactionScheduling"
    private let day = CalendarDate(year: 2025, month: 1, day: 20)!
    /// 2025-01-20T14:12:34.5Z = 09:12 in EST.
    private let time = Date(timeIntervalSince1970: 1_737_382_354.5)

    private func collector(apiURL: String? = nil, parameters: [String: String] = [:]) throws -> MisoCTSCollector {
        try MisoCTSCollector(configuration: CollectorConfiguration(name: "miso-cts", apiURL: apiURL, parameters: parameters,
                                                                   userAgent: "scraper-test/1.0", requestTimeout: 12))
    }

    private func candidates(_ mode: CollectionRequest.Mode, _ filters: [String: String] = [:]) throws -> [DownloadCandidate] {
        try collector().candidates(for: CollectionRequest(mode: mode, filters: filters, collectionTime: time))
    }

    func testRegistrationAndDatasetGroup() throws {
        XCTAssertEqual(MisoCTSCollector.typeName, "miso.cts")
        XCTAssertTrue(BuiltInCollectors.all.contains { $0 == MisoCTSCollector.self })
        XCTAssertNotNil(CollectorCatalog(BuiltInCollectors.all).type(named: "miso.cts"))
        XCTAssertEqual(try collector().datasetGroup, "miso_coordinated_transaction_scheduling")
        XCTAssertEqual(MisoCTSCollector.parameters.map(\.name), ["interval", "node"])
    }

    func testSnapshotIsNamedAndFiledByTheCollectionTimeInEST() throws {
        let all = try candidates(.snapshot)
        XCTAssertEqual(all.count, 1)
        let c = all[0]
        XCTAssertEqual(c.identifier, "cts_snapshot_20250120_0912.json")
        XCTAssertEqual(c.sourceURL, endpoint)
        XCTAssertEqual(c.queryParameters, [])
        XCTAssertEqual(c.url, endpoint)
        XCTAssertEqual(c.partitionDate, day)
        XCTAssertEqual(c.headers, ["Accept": "application/json", "User-Agent": "scraper-test/1.0"])
        XCTAssertEqual(c.timeout, 12)
        XCTAssertEqual(c.metadata.serialized(),
                       #"{"data_type": "coordinated_transaction_scheduling", "source": "miso", "collection_mode": "snapshot", "#
                           + #""date": null, "interval": null, "node": null, "collected_at": "2025-01-20T14:12:34.500000Z"}"#)
    }

    func testARevisedDayReplacesItsObjectWhileSnapshotsOfOneMinuteAreKeptSideBySide() throws {
        XCTAssertEqual(try candidates(.snapshot).map(\.changedContent), [.storeBeside])
        XCTAssertEqual(try candidates(.day(day)).map(\.changedContent), [.replacePrevious])
        XCTAssertEqual(try candidates(.range(day, CalendarDate(year: 2025, month: 1, day: 21)!)).map(\.changedContent),
                       [.replacePrevious, .replacePrevious])
    }

    func testSnapshotAfterMidnightUTCIsStillThePreviousDayInEST() throws {
        // 2025-01-01T03:30:00Z is 2024-12-31 22:30 EST.
        let c = try collector().candidates(for: CollectionRequest(collectionTime: Date(timeIntervalSince1970: 1_735_702_200)))[0]
        XCTAssertEqual(c.identifier, "cts_snapshot_20241231_2230.json")
        XCTAssertEqual(c.partitionDate, CalendarDate(year: 2024, month: 12, day: 31))
        XCTAssertEqual(c.metadata["collected_at"], .string("2025-01-01T03:30:00Z"))
        // MISO's time is EST all year: no daylight saving shift in July (12:00Z = 07:00 EST).
        let july = try collector().candidates(for: CollectionRequest(collectionTime: Date(timeIntervalSince1970: 1_784_030_400)))[0]
        XCTAssertEqual(july.identifier, "cts_snapshot_20260714_0700.json")
    }

    func testSnapshotWithFilters() throws {
        let c = try candidates(.snapshot, ["interval": "14:35", "node": "MISO.PJM.INTERFACE1"])[0]
        XCTAssertEqual(c.identifier, "cts_snapshot_20250120_0912_int1435_MISO_PJM_INTERFACE1.json")
        XCTAssertEqual(c.queryParameters, [QueryParameter("interval", "14:35"), QueryParameter("node", "MISO.PJM.INTERFACE1")])
        XCTAssertEqual(c.metadata["collection_mode"], .string("snapshot"))
        XCTAssertEqual(c.metadata["date"], .null)
        XCTAssertEqual(c.metadata["interval"], .string("14:35"))
    }

    func testOneDay() throws {
        let all = try candidates(.day(day))
        XCTAssertEqual(all.count, 1)
        let c = all[0]
        XCTAssertEqual(c.identifier, "cts_20250120.json")
        XCTAssertEqual(c.queryParameters, [QueryParameter("date", "2025-01-20")])
        XCTAssertEqual(c.url, endpoint + "?date=2025-01-20")
        XCTAssertEqual(c.partitionDate, day)
        XCTAssertEqual(c.metadata.serialized(),
                       #"{"data_type": "coordinated_transaction_scheduling", "source": "miso", "collection_mode": "date", "#
                           + #""date": "2025-01-20", "interval": null, "node": null, "collected_at": "2025-01-20T14:12:34.500000Z"}"#)
    }

    func testEveryFilterCombinationOnADay() throws {
        let expected: [([String: String], String, [QueryParameter])] = [
            ([:], "cts_20250120.json", [QueryParameter("date", "2025-01-20")]),
            (["interval": "14:35"], "cts_20250120_int1435.json",
             [QueryParameter("date", "2025-01-20"), QueryParameter("interval", "14:35")]),
            (["node": "MISO.PJM.INTERFACE1"], "cts_20250120_MISO_PJM_INTERFACE1.json",
             [QueryParameter("date", "2025-01-20"), QueryParameter("node", "MISO.PJM.INTERFACE1")]),
            (["interval": "14:35", "node": "MISO.PJM.INTERFACE1"], "cts_20250120_int1435_MISO_PJM_INTERFACE1.json",
             [QueryParameter("date", "2025-01-20"), QueryParameter("interval", "14:35"), QueryParameter("node", "MISO.PJM.INTERFACE1")]),
        ]
        for (filters, identifier, query) in expected {
            let c = try candidates(.day(day), filters)[0]
            XCTAssertEqual(c.identifier, identifier)
            XCTAssertEqual(c.queryParameters, query)
            XCTAssertEqual(c.metadata["interval"], filters["interval"].map { .string($0) } ?? .null)
            XCTAssertEqual(c.metadata["node"], filters["node"].map { .string($0) } ?? .null)
            XCTAssertEqual(c.metadata.keys, ["data_type", "source", "collection_mode", "date", "interval", "node", "collected_at"])
        }
        let both = try candidates(.day(day), ["interval": "14:35", "node": "MISO.PJM.INTERFACE1"])[0]
        XCTAssertEqual(both.url, endpoint + "?date=2025-01-20&interval=14%3A35&node=MISO.PJM.INTERFACE1")
    }

    func testNodesAreSanitisedInIdentifiersButSentAsGiven() throws {
        let c = try candidates(.day(day), ["node": "../../etc/passwd"])[0]
        XCTAssertEqual(c.identifier, "cts_20250120_______etc_passwd.json")
        XCTAssertEqual(c.queryParameters.last, QueryParameter("node", "../../etc/passwd"))
        XCTAssertFalse(c.identifier.contains("/"))
    }

    func testRangeGivesOneCandidatePerDayAcrossMonthAndYearEnds() throws {
        let all = try candidates(.range(CalendarDate(year: 2024, month: 12, day: 30)!, CalendarDate(year: 2025, month: 1, day: 2)!),
                                 ["interval": "00:00"])
        XCTAssertEqual(all.map(\.identifier), ["cts_20241230_int0000.json", "cts_20241231_int0000.json",
                                               "cts_20250101_int0000.json", "cts_20250102_int0000.json"])
        XCTAssertEqual(all.map { $0.queryParameters.first?.value }, ["2024-12-30", "2024-12-31", "2025-01-01", "2025-01-02"])
        XCTAssertEqual(all.map(\.partitionDate.description), ["2024-12-30", "2024-12-31", "2025-01-01", "2025-01-02"])
        XCTAssertTrue(all.allSatisfy { $0.metadata["collection_mode"] == .string("date") })
        XCTAssertEqual(all[2].metadata["date"], .string("2025-01-01"))
        XCTAssertEqual(try candidates(.range(day, day)).map(\.identifier), ["cts_20250120.json"])
    }

    func testReversedRangeIsRefused() {
        XCTAssertThrowsError(try candidates(.range(day, CalendarDate(year: 2025, month: 1, day: 19)!))) { error in
            XCTAssertTrue("\(error)".contains("start date"), "\(error)")
        }
    }

    func testAPIURLOverridesTheEndpoint() throws {
        let sim = "http://127.0.0.1:8123/api/CoordinatedTransactionScheduling"
        let c = try collector(apiURL: sim).candidates(for: CollectionRequest(mode: .day(day), collectionTime: time))[0]
        XCTAssertEqual(c.url, sim + "?date=2025-01-20")
        XCTAssertThrowsError(try collector(apiURL: "ftp://example/x")) { error in
            XCTAssertTrue("\(error)".contains("http://"), "\(error)")
        }
    }

    func testConfiguredFiltersAreDefaultsTheRequestOverrides() throws {
        let configured = try collector(parameters: ["interval": "10:00", "node": "A.B"])
        let plain = try configured.candidates(for: CollectionRequest(mode: .day(day), collectionTime: time))[0]
        XCTAssertEqual(plain.identifier, "cts_20250120_int1000_A_B.json")
        let overridden = try configured.candidates(for: CollectionRequest(mode: .day(day), filters: ["interval": "10:05"], collectionTime: time))[0]
        XCTAssertEqual(overridden.identifier, "cts_20250120_int1005_A_B.json")
        XCTAssertThrowsError(try collector(parameters: ["interval": "10:03"]))
        XCTAssertThrowsError(try collector(parameters: ["colour": "red"]))
    }

    func testIntervalValidity() {
        for good in ["00:00", "00:05", "09:00", "14:35", "23:55", "12:30"] {
            XCTAssertTrue(MisoCTSCollector.isValidInterval(good), good)
        }
        for bad in ["", "14:33", "24:00", "9:05", "09:5", "09:60", "14-35", "14:35:00", " 14:35", "14:35 ", "ab:cd", "１４:３５", "-1:00", "99:99"] {
            XCTAssertFalse(MisoCTSCollector.isValidInterval(bad), bad)
        }
    }

    func testBadFiltersGiveOneClearLine() {
        let cases: [([String: String], [String])] = [
            (["interval": "14:33"], ["\"14:33\"", "HH:MM", "5-minute"]),
            (["interval": "24:00"], ["\"24:00\"", "00-23"]),
            (["interval": "9:05"], ["\"9:05\"", "HH:MM"]),
            (["colour": "red"], ["\"colour\"", "interval, node"]),
            (["node": ""], ["node", "empty"]),
            (["node": "   "], ["node", "empty"]),
            (["node": String(repeating: "N", count: 201)], ["201", "200"]),
            (["node": "A\nB"], ["\"A\\nB\"", "control"]),
            (["node": "A\u{0}B"], ["control"]),
        ]
        for (filters, words) in cases {
            XCTAssertThrowsError(try candidates(.day(day), filters), "\(filters)") { error in
                guard case CollectorError.invalidArgument(let message) = error else { return XCTFail("wrong error \(error)") }
                XCTAssertFalse(message.contains("\n"), message)
                for word in words { XCTAssertTrue(message.contains(word), "\(message) lacks \(word)") }
            }
        }
        XCTAssertNoThrow(try candidates(.day(day), ["node": String(repeating: "N", count: 200)]))
    }
}
