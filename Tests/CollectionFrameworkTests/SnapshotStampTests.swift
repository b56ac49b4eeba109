import CollectionFramework
import Foundation
import XCTest

/// A snapshot name carries its collection minute, and reads back to it on the same clock.
final class SnapshotStampTests: XCTestCase {
    let est = TimeZone(secondsFromGMT: -5 * 3600)!

    func testAnIdentifierReadsBackToItsCollectionMinute() {
        let time = Date(timeIntervalSince1970: 1_737_383_100)   // 2025-01-20T14:25:00Z, 09:25 EST
        let name = SnapshotStamp(time, in: est).identifier(prefix: "cts", parts: ["MISO_PJM_INTERFACE1"])
        XCTAssertEqual(name, "cts_snapshot_20250120_0925_MISO_PJM_INTERFACE1.json")
        XCTAssertEqual(SnapshotStamp.time(inIdentifier: name, timeZone: est), time)
        XCTAssertEqual(SnapshotStamp.time(inIdentifier: "cts_snapshot_20250120_0925_1a2b3c4d5e6f.json", timeZone: est), time)
        XCTAssertEqual(SnapshotStamp.time(inIdentifier: name, timeZone: TimeZone(secondsFromGMT: 0)!), time.addingTimeInterval(-5 * 3600))
    }

    func testOtherNamesHaveNoCollectionMinute() {
        for name in ["cts_20250120.json", "cts_snapshot_2025012_0925.json", "cts_snapshot_20250120-0925.json",
                     "cts_snapshot_20250230_0925.json", "cts_snapshot_20250120_2460.json", "cts_snapshot_2025012a_0925.json",
                     "cts_snapshot_20250120_09", ""] {
            XCTAssertNil(SnapshotStamp.time(inIdentifier: name, timeZone: est), name)
        }
    }
}
