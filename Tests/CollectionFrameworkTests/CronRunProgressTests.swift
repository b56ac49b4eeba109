import CollectionFramework
import Foundation
import XCTest

/// The progress line `scraper run` shows during a backfill (RunProgress lives beside the scheduler).
final class CronRunProgressTests: XCTestCase {
    func testCountsOutcomesAndComputesRateAndETA() {
        let start = Date(timeIntervalSince1970: 1_000_000)
        let progress = RunProgress(total: 10, start: start)
        let stored = StoredObject(key: "k", location: "file:///k", versionID: nil, etag: "e", size: 1)
        progress.record(.collected(stored, notificationFailed: false), at: start.addingTimeInterval(1))
        progress.record(.skippedDuplicate(reason: "hash exists"), at: start.addingTimeInterval(1.5))
        progress.record(.failed("HTTP 503", rejected: false), at: start.addingTimeInterval(1.8))
        let s = progress.record(.collected(stored, notificationFailed: true), at: start.addingTimeInterval(2))
        XCTAssertEqual([s.done, s.total, s.collected, s.skipped, s.failed], [4, 10, 2, 1, 1])
        XCTAssertEqual(s.rate, 2, accuracy: 1e-9)
        XCTAssertEqual(s.eta ?? -1, 3, accuracy: 1e-9)
        XCTAssertEqual(s.line, "4/10 (40%)  2.0/s  ETA 0:03  collected 2  skipped 1  failed 1")
    }

    func testLineBeforeAnyRateAndForLongRuns() {
        XCTAssertEqual(RunProgress.Snapshot(total: 5).line, "0/5 (0%)  0.0/s  ETA --:--  collected 0  skipped 0  failed 0")
        var long = RunProgress.Snapshot(done: 1, total: 3661, elapsed: 1)
        long.collected = 1
        XCTAssertEqual(long.line, "1/3661 (0%)  1.0/s  ETA 1:01:00  collected 1  skipped 0  failed 0")
    }

    func testIsSafeFromManyThreads() {
        let progress = RunProgress(total: 800)
        DispatchQueue.concurrentPerform(iterations: 800) { _ in progress.record(.skippedDuplicate(reason: "x")) }
        XCTAssertEqual(progress.current.done, 800)
        XCTAssertEqual(progress.current.skipped, 800)
    }
}
