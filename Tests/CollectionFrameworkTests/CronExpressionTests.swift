import CollectionFramework
import Foundation
import XCTest

final class CronExpressionTests: XCTestCase {
    private let utc = TimeZone(identifier: "UTC")!

    /// `2025-01-20 10:07` style in UTC.
    private func date(_ text: String, _ zone: TimeZone? = nil) -> Date {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = zone ?? utc
        f.dateFormat = "yyyy-MM-dd HH:mm"
        return f.date(from: text)!
    }

    private func text(_ date: Date?, _ zone: TimeZone? = nil) -> String {
        guard let date else { return "nil" }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = zone ?? utc
        f.dateFormat = "yyyy-MM-dd HH:mm EEE"
        return f.string(from: date)
    }

    /// The next `count` firing times after `start`.
    private func fires(_ expression: String, after start: String, count: Int = 3) throws -> [String] {
        let cron = try CronExpression(expression, timeZone: utc)
        var out: [String] = []
        var t = date(start)
        for _ in 0..<count {
            guard let next = cron.next(after: t) else { out.append("nil"); break }
            out.append(text(next))
            t = next
        }
        return out
    }

    func testEveryFifteenMinutesAsTheSpecRecommends() throws {
        XCTAssertEqual(try fires("*/15 * * * *", after: "2025-01-20 10:07"),
                       ["2025-01-20 10:15 Mon", "2025-01-20 10:30 Mon", "2025-01-20 10:45 Mon"])
        XCTAssertEqual(try fires("*/15 * * * *", after: "2025-01-20 23:50", count: 2),
                       ["2025-01-21 00:00 Tue", "2025-01-21 00:15 Tue"], "rolls over midnight")
        let cron = try CronExpression("*/15 * * * *", timeZone: utc)
        XCTAssertEqual(text(cron.next(after: date("2025-01-20 10:15").addingTimeInterval(0.5))), "2025-01-20 10:30 Mon",
                       "strictly after, even within the matching minute")
    }

    func testRangesListsStepsAndNames() throws {
        XCTAssertEqual(try fires("5,35 9-10 * * *", after: "2025-01-20 08:00", count: 5),
                       ["2025-01-20 09:05 Mon", "2025-01-20 09:35 Mon", "2025-01-20 10:05 Mon", "2025-01-20 10:35 Mon", "2025-01-21 09:05 Tue"])
        XCTAssertEqual(try fires("0 8-18/5 * * *", after: "2025-01-20 00:00", count: 4),
                       ["2025-01-20 08:00 Mon", "2025-01-20 13:00 Mon", "2025-01-20 18:00 Mon", "2025-01-21 08:00 Tue"])
        XCTAssertEqual(try fires("30 6 * * mon-fri", after: "2025-01-24 07:00", count: 2),
                       ["2025-01-27 06:30 Mon", "2025-01-28 06:30 Tue"], "Friday after 06:30 goes to Monday")
        XCTAssertEqual(try fires("0 0 1 jan,JUL *", after: "2025-01-20 00:00", count: 2),
                       ["2025-07-01 00:00 Tue", "2026-01-01 00:00 Thu"])
        XCTAssertEqual(try fires("0 12 * * 7", after: "2025-01-20 00:00", count: 1), ["2025-01-26 12:00 Sun"], "7 is Sunday")
        XCTAssertEqual(try fires("50/5 * * * *", after: "2025-01-20 10:00", count: 3),
                       ["2025-01-20 10:50 Mon", "2025-01-20 10:55 Mon", "2025-01-20 11:50 Mon"], "a/n runs from a to the maximum")
        XCTAssertEqual(try fires("@hourly", after: "2025-01-20 10:07", count: 1), ["2025-01-20 11:00 Mon"])
        XCTAssertEqual(try fires("@daily", after: "2025-01-20 10:07", count: 1), ["2025-01-21 00:00 Tue"])
    }

    func testDayOfMonthAndDayOfWeekMatchEitherWhenBothAreRestricted() throws {
        // The 13th of the month OR any Friday.
        XCTAssertEqual(try fires("0 0 13 * FRI", after: "2025-06-01 00:00", count: 4),
                       ["2025-06-06 00:00 Fri", "2025-06-13 00:00 Fri", "2025-06-20 00:00 Fri", "2025-06-27 00:00 Fri"])
        XCTAssertEqual(try fires("0 0 13 * FRI", after: "2025-01-01 00:00", count: 3),
                       ["2025-01-03 00:00 Fri", "2025-01-10 00:00 Fri", "2025-01-13 00:00 Mon"])
        // With one day field a star (even */n), only the other one counts.
        XCTAssertEqual(try fires("0 0 13 * *", after: "2025-01-01 00:00", count: 2), ["2025-01-13 00:00 Mon", "2025-02-13 00:00 Thu"])
        XCTAssertEqual(try fires("0 0 */10 * MON", after: "2025-01-01 00:00", count: 2),
                       ["2025-03-31 00:00 Mon", "2025-04-21 00:00 Mon"], "a day field starting with * (even */10) makes both apply: day 1/11/21/31 AND Monday")
    }

    func testLeapDaysAndImpossibleDates() throws {
        XCTAssertEqual(try fires("0 0 29 2 *", after: "2025-01-01 00:00", count: 2), ["2028-02-29 00:00 Tue", "2032-02-29 00:00 Sun"])
        XCTAssertEqual(try fires("0 0 30 2 *", after: "2025-01-01 00:00", count: 1), ["nil"], "February 30th never comes")
        XCTAssertEqual(try fires("0 0 31 * *", after: "2025-01-31 12:00", count: 2), ["2025-03-31 00:00 Mon", "2025-05-31 00:00 Sat"])
    }

    func testWallClockInTheConfiguredTimeZoneAcrossDaylightSaving() throws {
        let chicago = TimeZone(identifier: "America/Chicago")!
        let cron = try CronExpression("30 2 * * *", timeZone: chicago)
        // 2025-03-09 02:30 does not exist in Chicago (clocks jump 02:00 -> 03:00): the run still happens that day.
        let next = try XCTUnwrap(cron.next(after: date("2025-03-08 03:00", chicago)))
        XCTAssertEqual(text(next, chicago).prefix(10), "2025-03-09")
        let after = try XCTUnwrap(cron.next(after: next))
        XCTAssertEqual(text(after, chicago), "2025-03-10 02:30 Mon")
        let every15 = try CronExpression("*/15 * * * *", timeZone: chicago)
        // 2025-11-02 01:00-01:59 happens twice; runs keep moving forward in real time.
        var t = date("2025-11-02 00:50", chicago)
        var seen: [Date] = []
        for _ in 0..<10 { t = try XCTUnwrap(every15.next(after: t)); seen.append(t) }
        XCTAssertEqual(seen, seen.sorted())
        XCTAssertEqual(Set(seen).count, seen.count)
    }

    /// The autumn change in Chicago (2025-11-02, 01:00-01:59 twice): an every-15-minutes schedule keeps
    /// firing every 15 real minutes through both passes (reading wall times once left a 75-minute gap);
    /// a fixed-time job runs once; in spring a fixed time that never happens runs right after the change.
    func testNoGapAndNoDoubleRunAcrossDaylightSavingChanges() throws {
        let chicago = TimeZone(identifier: "America/Chicago")!
        let every15 = try CronExpression("*/15 * * * *", timeZone: chicago)
        var t = date("2025-11-02 00:00", chicago)
        var fired: [Date] = []
        for _ in 0..<16 { t = try XCTUnwrap(every15.next(after: t)); fired.append(t) }
        let gaps = zip(fired.dropFirst(), fired).map { Int($0.timeIntervalSince($1)) }
        XCTAssertEqual(Set(gaps), [900], "every 15 real minutes: \(fired.map { text($0, chicago) })")
        XCTAssertEqual(fired.map { text($0, chicago) }.filter { $0.hasPrefix("2025-11-02 01:15") }.count, 2, "both passes of 01:15")

        let fixed = try CronExpression("30 1 * * *", timeZone: chicago)
        let first = try XCTUnwrap(fixed.next(after: date("2025-11-01 12:00", chicago)))
        XCTAssertEqual(text(first, chicago), "2025-11-02 01:30 Sun")
        XCTAssertEqual(first.timeIntervalSince1970, date("2025-11-02 06:30").timeIntervalSince1970, "the first pass (CDT, UTC-5)")
        XCTAssertEqual(text(try XCTUnwrap(fixed.next(after: first)), chicago), "2025-11-03 01:30 Mon", "not again in the second pass")

        let spring = try CronExpression("30 2 * * *", timeZone: chicago)
        let skipped = try XCTUnwrap(spring.next(after: date("2025-03-08 12:00", chicago)))
        XCTAssertEqual(text(skipped, chicago), "2025-03-09 03:00 Sun", "02:30 never happens: run at the change")
        XCTAssertEqual(text(try XCTUnwrap(every15.next(after: date("2025-03-09 01:50", chicago))), chicago), "2025-03-09 03:00 Sun")
    }

    func testSchedulesAreReadInUTCUnlessAZoneIsGiven() throws {
        let daily = try CronExpression("0 6 * * *")
        XCTAssertEqual(daily.timeZone.secondsFromGMT(for: date("2025-07-01 00:00")), 0, "UTC, not the process's zone")
        XCTAssertEqual(text(daily.next(after: date("2025-07-01 00:00"))), "2025-07-01 06:00 Tue")
        var entry = CollectorEntry(name: "c", type: "t", schedule: "0 6 * * *")
        XCTAssertEqual(try ResolvedCollector(entry).cronSchedule().timeZone, CronExpression.utc)
        entry.timezone = "Europe/Berlin"
        let berlin = try ResolvedCollector(entry).cronSchedule()
        XCTAssertEqual(text(berlin.next(after: date("2025-07-01 00:00"))), "2025-07-01 04:00 Tue", "06:00 CEST is 04:00 UTC")
    }

    func testRefusesBadExpressionsNamingTheField() {
        let cases: [(String, String)] = [
            ("*/15 * * *", "has 4 fields"),
            ("* * * * * *", "has 6 fields"),
            ("60 * * * *", "minute field item \"60\""),
            ("* 24 * * *", "hour field"),
            ("* * 0 * *", "day of month field"),
            ("* * * 13 *", "month field"),
            ("* * * * 8", "day of week field"),
            ("*/0 * * * *", "step"),
            ("5-1 * * * *", "runs backwards"),
            ("1,,2 * * * *", "is empty"),
            ("* * * FOO *", "month field"),
            ("@sometimes", "unknown macro"),
            ("+5 * * * *", "minute field"),
        ]
        for (expression, fragment) in cases {
            XCTAssertThrowsError(try CronExpression(expression), expression) { error in
                let message = "\(error)"
                XCTAssertTrue(message.contains(fragment), "\(expression): \(message)")
                XCTAssertTrue(message.contains(expression.debugDescription), "quotes the expression: \(message)")
            }
        }
    }
}
