import CollectionFramework
import Foundation
import TestSupport
import XCTest

/// scraper refuses a libcurl older than 7.86 at start, before any request, with the fix.
final class LibcurlFloorTests: XCTestCase {
    func testTheVersionFloor() {
        XCTAssertEqual(LibcurlVersion.minimum, 0x07_56_00)
        XCTAssertNil(LibcurlVersion.problem(number: 0x07_58_01, text: "7.88.1"))
        XCTAssertNil(LibcurlVersion.problem(number: 0x07_56_00, text: "7.86.0"))
        let problem = LibcurlVersion.problem(number: 0x07_55_00, text: "7.85.0")
        XCTAssertTrue(problem?.contains("libcurl 7.85.0 is too old") == true, problem ?? "nil")
        XCTAssertTrue(problem?.contains("install libcurl 7.86 or newer") == true, problem ?? "nil")
        XCTAssertGreaterThanOrEqual(LibcurlVersion.running.number, LibcurlVersion.minimum, "this machine's libcurl \(LibcurlVersion.running.text)")
    }

    func testRunServeAndExportRefuseAnOldLibcurlBeforeAnyRequest() throws {
        let sim = try MisoSimulatorProcess()
        defer { sim.stop() }
        let scraper = ScraperInvocation(environment: ["SCRAPER_TEST_LIBCURL_VERSION": "7.85.0"])
        defer { try? FileManager.default.removeItem(at: scraper.directory) }
        for arguments in [["run", "miso-cts", "--api-url", sim.url(MisoSimulatorProcess.ctsPath)],
                          ["serve", "--port", "0", "--api-url", sim.url(MisoSimulatorProcess.ctsPath)],
                          ["export", "miso-cts", "--date", "2025-01-20"]] {
            let result = try scraper.run(arguments, timeout: 60)
            XCTAssertEqual(result.status, 69, "\(arguments[0]): \(result.transcript)")
            XCTAssertTrue(result.stderr.hasPrefix("error: libcurl 7.85.0 is too old"), result.stderr)
        }
        XCTAssertEqual(try sim.stats().requests, 0, "refused before any request")
        let current = try ScraperInvocation().run(["run", "miso-cts", "--date", "2025-01-20", "--api-url", sim.url(MisoSimulatorProcess.ctsPath),
                                                   "--rate-limit", "0"])
        XCTAssertEqual(current.status, 0, "this machine's libcurl passes: \(current.transcript)")
    }
}
