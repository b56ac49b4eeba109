import CollectionFramework
import Collectors
import Foundation
import XCTest

/// Ex-ante LMP candidates: one snapshot named and filed by the collection time in EST; dates,
/// ranges, filters and bad endpoints refused before any request.
final class MisoExAnteCandidateTests: XCTestCase {
    /// 2026-07-27T13:17:42.25Z = 08:17 EST.
    private let time = Date(timeIntervalSince1970: 1_785_158_262.25)

    private func collector(apiURL: String? = nil) throws -> MisoExAnteLMPCollector {
        try MisoExAnteLMPCollector(configuration: CollectorConfiguration(name: "miso-exante-lmp", apiURL: apiURL,
                                                                         userAgent: "scraper-test/1.0", requestTimeout: 7))
    }

    func testRegistrationTypeNameAndDatasetGroup() throws {
        XCTAssertEqual(MisoExAnteLMPCollector.typeName, "miso.exante_lmp")
        XCTAssertTrue(BuiltInCollectors.all.contains { $0 == MisoExAnteLMPCollector.self })
        XCTAssertNotNil(CollectorCatalog(BuiltInCollectors.all).type(named: "miso.exante_lmp"))
        XCTAssertEqual(try collector().datasetGroup, "miso_exante_lmp")
        XCTAssertEqual(MisoExAnteLMPCollector.parameters, [])
        XCTAssertEqual(ScraperConfiguration.defaultName(forType: MisoExAnteLMPCollector.typeName), "miso-exante-lmp")
    }

    func testSnapshotCandidateIsNamedAndFiledByTheCollectionTimeInEST() throws {
        let all = try collector().candidates(for: CollectionRequest(collectionTime: time))
        XCTAssertEqual(all.count, 1)
        let c = all[0]
        XCTAssertEqual(c.identifier, "exante_lmp_snapshot_20260727_0817.json")
        XCTAssertEqual(c.sourceURL, "https://public-api.misoenergy.org/api/MarketPricing/GetExAnteLmp")
        XCTAssertEqual(c.url, c.sourceURL, "no query parameters: the feed takes none")
        XCTAssertEqual(c.partitionDate, CalendarDate(year: 2026, month: 7, day: 27))
        XCTAssertEqual(c.headers, ["Accept": "application/json", "User-Agent": "scraper-test/1.0"])
        XCTAssertEqual(c.timeout, 7)
        XCTAssertEqual(c.metadata.serialized(),
                       #"{"data_type": "exante_lmp", "source": "miso", "collection_mode": "snapshot", "collected_at": "2026-07-27T13:17:42.250000Z"}"#)
    }

    func testSnapshotJustAfterMidnightUTCIsThePreviousESTDay() throws {
        // 2026-01-01T04:59:00Z is 2025-12-31 23:59 EST.
        let c = try collector().candidates(for: CollectionRequest(collectionTime: Date(timeIntervalSince1970: 1_767_243_540)))[0]
        XCTAssertEqual(c.identifier, "exante_lmp_snapshot_20251231_2359.json")
        XCTAssertEqual(c.partitionDate, CalendarDate(year: 2025, month: 12, day: 31))
        XCTAssertEqual(c.metadata["collected_at"], .string("2026-01-01T04:59:00Z"))
    }

    func testDatesRangesAndFiltersAreRefusedAsSnapshotOnly() throws {
        let day = CalendarDate(year: 2026, month: 7, day: 27)!
        for mode in [CollectionRequest.Mode.day(day), .range(day, day.next)] {
            XCTAssertThrowsError(try collector().candidates(for: CollectionRequest(mode: mode, collectionTime: time))) { error in
                let text = "\(error)"
                XCTAssertTrue(text.contains("miso.exante_lmp is a snapshot-only feed"), text)
                XCTAssertTrue(text.contains("2026-07-27"), text)
                XCTAssertTrue(text.contains("run it without --date"), text)
                XCTAssertTrue(error is CollectorError)
            }
        }
        XCTAssertThrowsError(try collector().candidates(for: CollectionRequest(filters: ["interval": "08:15"], collectionTime: time))) { error in
            XCTAssertEqual("\(error)", #"unknown filter "interval" for miso.exante_lmp: it accepts no filters"#)
        }
    }

    func testApiURLOverridesTheEndpointAndBadOnesAreRefused() throws {
        let c = try collector(apiURL: "http://127.0.0.1:8080/api/MarketPricing/GetExAnteLmp").candidates(for: CollectionRequest(collectionTime: time))[0]
        XCTAssertEqual(c.url, "http://127.0.0.1:8080/api/MarketPricing/GetExAnteLmp")
        for bad in ["ftp://example.com/x", "127.0.0.1:8080/x", "http://", ""] {
            XCTAssertThrowsError(try collector(apiURL: bad)) { error in
                XCTAssertTrue("\(error)".contains("invalid api_url"), "\(error)")
                XCTAssertTrue("\(error)".contains("miso-exante-lmp"), "\(error)")
            }
        }
    }
}
