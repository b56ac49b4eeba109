import CollectionFramework
import Foundation
import XCTest

/// Market days in local prevailing time: 23-, 24- and 25-hour days, their UTC windows, and the day an
/// instant belongs to.
final class MarketDayTests: XCTestCase {
    private func day(_ text: String, _ zone: String) throws -> MarketDay {
        try MarketDay(try XCTUnwrap(CalendarDate(iso: text)), timeZoneIdentifier: zone)
    }

    func testDaylightSavingDaysHaveTwentyThreeAndTwentyFiveHours() throws {
        let spring = try day("2025-03-09", "America/New_York")
        let normal = try day("2025-03-10", "America/New_York")
        let autumn = try day("2025-11-02", "America/New_York")
        XCTAssertEqual([spring.hours, normal.hours, autumn.hours], [23, 24, 25])
        XCTAssertEqual([spring, normal, autumn].map { $0.expectedIntervals(minutes: 5) }, [276, 288, 300], "NYISO real time")
        XCTAssertEqual([spring, normal, autumn].map { $0.expectedIntervals(minutes: 60) }, [23, 24, 25], "NYISO day ahead")
        XCTAssertEqual(try day("2025-01-20", "Etc/GMT+5").hours, 24, "MISO's fixed UTC-05:00 never changes")
    }

    func testAPacificDayStartsAtEightOrSevenUTCAsDaylightSavingSays() throws {
        let iso = ISO8601DateFormatter()
        XCTAssertEqual(iso.string(from: try day("2025-01-15", "America/Los_Angeles").start), "2025-01-15T08:00:00Z", "PST")
        XCTAssertEqual(iso.string(from: try day("2025-07-15", "America/Los_Angeles").start), "2025-07-15T07:00:00Z", "PDT")
        let spring = try day("2025-03-09", "America/Los_Angeles")
        XCTAssertEqual(iso.string(from: spring.start), "2025-03-09T08:00:00Z")
        XCTAssertEqual(iso.string(from: spring.end), "2025-03-10T07:00:00Z", "23 hours later")
    }

    func testAnInstantBelongsToItsLocalDayNotItsUTCDay() throws {
        let zone = try XCTUnwrap(TimeZone(identifier: "America/Chicago"))
        let lateEvening = ISO8601DateFormatter().date(from: "2025-06-02T03:30:00Z")!   // 22:30 CDT on June 1st
        XCTAssertEqual(MarketDay.containing(lateEvening, timeZone: zone).date, CalendarDate(iso: "2025-06-01"))
        XCTAssertThrowsError(try day("2025-06-01", "Mars/Olympus")) { error in
            XCTAssertTrue("\(error)".contains("not an IANA time zone name"), "\(error)")
        }
    }
}
