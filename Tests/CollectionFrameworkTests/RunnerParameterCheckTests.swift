import CollectionFramework
import Foundation
import Logging
import XCTest

/// ``CollectionRunner/prepare(_:request:)`` checks parameters against the declaration whatever the
/// collector: one that never reads its filters still only ever runs with declared, accepted values.
final class RunnerParameterCheckTests: XCTestCase {
    // MARK: The runner checks any collector's parameters

    private let runner = CollectionRunner(logger: Logger(label: "parameters"),
                                          catalog: CollectorCatalog([FilterBlindCollector.self]))

    func testTheRunnerRefusesWhatADeclarationDoesNotAcceptWhateverTheCollector() throws {
        // A collector that never looks at its filters still gets only declared ones, checked.
        let blind = ResolvedCollector(name: "blind", type: FilterBlindCollector.typeName)
        XCTAssertThrowsError(try runner.prepare(blind, request: CollectionRequest(filters: ["limt": "3"]))) { error in
            XCTAssertEqual("\(error)", #"collector blind: unknown filter "limt" for test.filter_blind (did you mean "limit"?): accepted filters are limit"#)
        }
        XCTAssertThrowsError(try runner.prepare(blind, request: CollectionRequest(filters: ["limit": "0"]))) { error in
            XCTAssertEqual("\(error)", #"collector blind: invalid limit "0" for test.filter_blind: expected a whole number from 1 to 100"#)
        }
        var configured = blind
        configured.parameters = ["limit": "1000"]
        XCTAssertThrowsError(try runner.prepare(configured, request: CollectionRequest())) { error in
            XCTAssertEqual("\(error)", #"collector blind: invalid limit "1000" for test.filter_blind: expected a whole number from 1 to 100"#)
        }
        XCTAssertEqual(try runner.prepare(blind, request: CollectionRequest(filters: ["limit": "3"])).candidates.count, 1)
    }

}

/// Declares `limit` but never reads a filter: the runner alone must keep bad values out.
private struct FilterBlindCollector: Collector {
    static let typeName = "test.filter_blind"
    static let summary = "ignores its filters"
    static let parameters = [CollectorParameter("limit", .integer(1...100), help: "how many")]
    let datasetGroup = "test_filter_blind"

    init(configuration: CollectorConfiguration) throws {}

    func candidates(for request: CollectionRequest) throws -> [DownloadCandidate] {
        [DownloadCandidate(identifier: "blind.json", sourceURL: "http://127.0.0.1:9/blind", partitionDate: CalendarDate(year: 2025, month: 1, day: 20)!)]
    }

    func validate(_ content: Data, for candidate: DownloadCandidate) -> ValidationResult { .valid(ValidationReport(recordCount: 1)) }
}
