import CollectionFramework
import Collectors
import Foundation
import XCTest

/// Binding-constraint candidates: one snapshot named and filed by the collection time in EST;
/// dates, ranges, filters and bad endpoints refused before any request.
final class MisoBindingCandidateTests: XCTestCase {
    /// 2026-07-27T13:10:05Z = 08:10 EST.
    private let time = Date(timeIntervalSince1970: 1_785_157_805)

    private func collector(apiURL: String? = nil) throws -> MisoBindingConstraintsCollector {
        try MisoBindingConstraintsCollector(configuration: CollectorConfiguration(name: "miso-binding-constraints", apiURL: apiURL,
                                                                                  userAgent: "scraper-test/2.0", requestTimeout: 9))
    }

    func testRegistrationTypeNameAndDatasetGroup() throws {
        XCTAssertEqual(MisoBindingConstraintsCollector.typeName, "miso.binding_constraints")
        XCTAssertTrue(BuiltInCollectors.all.contains { $0 == MisoBindingConstraintsCollector.self })
        let names = CollectorCatalog(BuiltInCollectors.all).typeNames
        XCTAssertEqual(names, names.sorted())
        XCTAssertTrue(["miso.binding_constraints", "miso.cts", "miso.exante_lmp"].allSatisfy(names.contains), "\(names)")
        XCTAssertEqual(try collector().datasetGroup, "miso_binding_constraints_realtime")
        XCTAssertEqual(ScraperConfiguration.defaultName(forType: MisoBindingConstraintsCollector.typeName), "miso-binding-constraints")
    }

    func testSnapshotCandidateIsNamedAndFiledByTheCollectionTimeInEST() throws {
        let all = try collector().candidates(for: CollectionRequest(collectionTime: time))
        XCTAssertEqual(all.count, 1)
        let c = all[0]
        XCTAssertEqual(c.identifier, "binding_constraints_snapshot_20260727_0810.json")
        XCTAssertEqual(c.url, "https://public-api.misoenergy.org/api/BindingConstraints/RealTime")
        XCTAssertEqual(c.partitionDate, CalendarDate(year: 2026, month: 7, day: 27))
        XCTAssertEqual(c.headers, ["Accept": "application/json", "User-Agent": "scraper-test/2.0"])
        XCTAssertEqual(c.timeout, 9)
        XCTAssertEqual(c.metadata.serialized(),
                       #"{"data_type": "binding_constraints_realtime", "source": "miso", "collection_mode": "snapshot", "collected_at": "2026-07-27T13:10:05Z"}"#)
        // Two minutes later is a different object: each 5-minute interval gets its own snapshot.
        let later = try collector().candidates(for: CollectionRequest(collectionTime: time.addingTimeInterval(120)))[0]
        XCTAssertEqual(later.identifier, "binding_constraints_snapshot_20260727_0812.json")
    }

    func testDatesRangesAndFiltersAreRefusedAsSnapshotOnly() throws {
        let day = CalendarDate(year: 2026, month: 7, day: 20)!
        for mode in [CollectionRequest.Mode.day(day), .range(day, CalendarDate(year: 2026, month: 7, day: 22)!)] {
            XCTAssertThrowsError(try collector().candidates(for: CollectionRequest(mode: mode, collectionTime: time))) { error in
                XCTAssertTrue("\(error)".contains("miso.binding_constraints is a snapshot-only feed"), "\(error)")
                XCTAssertTrue("\(error)".contains("2026-07-20"), "\(error)")
            }
        }
        XCTAssertThrowsError(try collector().candidates(for: CollectionRequest(filters: ["node": "X"], collectionTime: time))) { error in
            XCTAssertTrue("\(error)".contains(#"unknown filter "node" for miso.binding_constraints"#), "\(error)")
        }
    }

    func testApiURLOverridesTheEndpointAndBadOnesAreRefused() throws {
        XCTAssertEqual(try collector(apiURL: "http://127.0.0.1:9/b").candidates(for: CollectionRequest(collectionTime: time))[0].url,
                       "http://127.0.0.1:9/b")
        XCTAssertThrowsError(try collector(apiURL: "file:///etc/passwd")) { error in
            XCTAssertTrue("\(error)".contains("invalid api_url"), "\(error)")
        }
    }
}
