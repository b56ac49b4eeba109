import CollectionFramework
import Foundation

/// Refuses to start on a libcurl older than ``LibcurlVersion/minimum`` (exit 69, before any request).
/// In a debug build `SCRAPER_TEST_LIBCURL_VERSION=7.85.0` pretends that version, so the refusal can be
/// tested on a machine with a new libcurl; a release build has no such variable.
enum LibcurlFloor {
    static func check() throws {
        var (number, text) = LibcurlVersion.running
        #if DEBUG
        if let pretend = ProcessInfo.processInfo.environment["SCRAPER_TEST_LIBCURL_VERSION"] {
            let parts = pretend.split(separator: ".").compactMap { UInt32($0) }
            if parts.count == 3 { (number, text) = (parts[0] << 16 | parts[1] << 8 | parts[2], pretend) }
        }
        #endif
        if let problem = LibcurlVersion.problem(number: number, text: text) { throw Exit.fail(problem, Exit.unavailable) }
    }
}
