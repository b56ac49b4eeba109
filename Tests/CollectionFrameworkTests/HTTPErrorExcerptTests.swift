import CollectionFramework
import Foundation
import LoopbackHTTP
import XCTest

/// A non-2xx answer's error names the start of its body, however large the body is.
final class HTTPErrorExcerptTests: XCTestCase {
    func testALargeErrorBodyStillGivesItsExcerpt() async throws {
        let body = "maintenance window until 10:00 " + String(repeating: "x", count: 200_000)
        let server = LoopbackHTTPServer(host: "127.0.0.1", port: 0) { _ in .text(body, status: 503) }
        let port = try server.start()
        addTeardownBlock { await server.stop() }
        let candidate = DownloadCandidate(identifier: "x.json", sourceURL: "http://127.0.0.1:\(port)/feed",
                                          partitionDate: CalendarDate(year: 2025, month: 1, day: 20)!)
        do {
            _ = try await CurlHTTPClient().fetch(candidate)
            XCTFail("a 503 must throw")
        } catch let HTTPError.status(code, _, _, excerpt) {
            XCTAssertEqual(code, 503)
            XCTAssertTrue(excerpt.hasPrefix("maintenance window until 10:00"), excerpt)
        }
    }
}
