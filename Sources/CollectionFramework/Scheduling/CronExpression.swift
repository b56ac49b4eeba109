import Foundation

/// A five-field cron schedule (`minute hour day-of-month month day-of-week`), as in crontab(5).
///
/// Each field takes `*`, `*/n`, `a`, `a-b`, `a-b/n`, `a/n` and comma lists of these; months and days of
/// the week may be named (`JAN`, `MON-FRI`); 0 and 7 are both Sunday. The macros `@hourly`, `@daily`
/// (`@midnight`), `@weekly`, `@monthly` and `@yearly` (`@annually`) are accepted.
/// When both day fields are restricted (neither starts with `*`), a day matches if **either** does
/// (`0 0 1 * MON` is the 1st of the month and every Monday), as cron does.
///
/// ```swift
/// let every15 = try CronExpression("*/15 * * * *")
/// let next = every15.next(after: Date())   // the next quarter hour, read in UTC
/// let chicago = try CronExpression("30 2 * * *", timeZone: TimeZone(identifier: "America/Chicago")!)
/// ```
public struct CronExpression: Sendable, Equatable, CustomStringConvertible {
    /// The expression as written.
    public let text: String
    /// Wall-clock times are read in this zone: UTC unless a collector sets `timezone:` (an IANA name).
    /// Daylight-saving changes are handled as cron does (see ``next(after:)``).
    public let timeZone: TimeZone
    let minutes: CronField
    let hours: CronField
    let daysOfMonth: CronField
    let months: CronField
    let daysOfWeek: CronField

    static let macros = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]

    /// Parses `text`; throws ``CronError`` naming the field at fault.
    public init(_ text: String, timeZone: TimeZone = CronExpression.utc) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let expanded = CronExpression.macros[trimmed.lowercased()] ?? trimmed
        if trimmed.hasPrefix("@"), CronExpression.macros[trimmed.lowercased()] == nil {
            throw CronError(text, "unknown macro; use one of \(CronExpression.macros.keys.sorted().joined(separator: ", ")) or five fields")
        }
        let fields = expanded.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else {
            throw CronError(text, "has \(fields.count) field\(fields.count == 1 ? "" : "s"); write five: minute hour day-of-month month day-of-week, e.g. \"*/15 * * * *\"")
        }
        self.text = text
        self.timeZone = timeZone
        minutes = try CronField(fields[0], kind: .minute, expression: text)
        hours = try CronField(fields[1], kind: .hour, expression: text)
        daysOfMonth = try CronField(fields[2], kind: .dayOfMonth, expression: text)
        months = try CronField(fields[3], kind: .month, expression: text)
        daysOfWeek = try CronField(fields[4], kind: .dayOfWeek, expression: text)
    }

    public var description: String { text }

    /// The zone schedules are read in when nothing else is said.
    public static let utc = TimeZone(identifier: "UTC")!

    /// True when the value `v` of each field is allowed (with the DOM/DOW rule).
    func matches(_ t: WallClock) -> Bool {
        months.contains(t.month) && allowsDay(year: t.year, month: t.month, day: t.day)
            && hours.contains(t.hour) && minutes.contains(t.minute)
    }

    /// A run at fixed times (neither the minute nor the hour field starts with `*`): cron runs such a
    /// job once when clocks fall back, and right after the change when clocks spring over its time.
    /// Other jobs simply run at every matching instant.
    var runsAtFixedTimes: Bool { minutes.restricts && hours.restricts }

    /// True when the schedule allows the day `year-month-day` (DOM/DOW OR rule).
    func allowsDay(year: Int, month: Int, day: Int) -> Bool {
        let dom = daysOfMonth.contains(day)
        let dow = daysOfWeek.contains(CronExpression.weekday(year: year, month: month, day: day))
        if daysOfMonth.restricts && daysOfWeek.restricts { return dom || dow }
        return dom && dow
    }

    /// 0 = Sunday … 6 = Saturday, for a Gregorian date.
    static func weekday(year: Int, month: Int, day: Int) -> Int {
        let offsets = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4]
        let y = month < 3 ? year - 1 : year
        return (y + y / 4 - y / 100 + y / 400 + offsets[month - 1] + day) % 7
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Wall-clock fields stepped without a calendar (so DST never skips or repeats a step).
    struct WallClock {
        var year, month, day, hour, minute: Int

        mutating func addMinute() {
            minute += 1
            if minute == 60 { nextHour() }
        }

        mutating func nextHour() {
            minute = 0
            hour += 1
            if hour == 24 { nextDay() }
        }

        mutating func nextDay() {
            minute = 0
            hour = 0
            day += 1
            if day > CronExpression.daysIn(month: month, year: year) { nextMonth() }
        }

        mutating func nextMonth() {
            minute = 0
            hour = 0
            day = 1
            month += 1
            if month == 13 { month = 1; year += 1 }
        }
    }
}
