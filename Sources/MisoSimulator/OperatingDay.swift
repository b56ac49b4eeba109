import Foundation

/// A calendar day in MISO's market time (Eastern Standard Time, UTC-05:00, all year).
struct OperatingDay: Equatable, Comparable {
    let year: Int
    let month: Int
    let day: Int

    static let monthAbbreviations = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Parses strict `YYYY-MM-DD` naming a real calendar day; nil otherwise.
    init?(iso text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (1...12).contains(m), d >= 1, d <= OperatingDay.daysIn(year: y, month: m) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Today in UTC-05:00.
    static func today(now: Date = Date()) -> OperatingDay {
        let seconds = Int(now.timeIntervalSince1970.rounded(.down)) - 5 * 3600
        return OperatingDay(daysSinceEpoch: Int((Double(seconds) / 86400).rounded(.down)))
    }

    /// `2025-01-20`.
    var iso: String { String(format: "%04d-%02d-%02d", year, month, day) }

    /// `20-Jan-2025`, the form used in MISO's `RefId`.
    var refIdDate: String {
        String(format: "%02d-", day) + OperatingDay.monthAbbreviations[month - 1] + String(format: "-%04d", year)
    }

    func adding(days: Int) -> OperatingDay { OperatingDay(daysSinceEpoch: daysSinceEpoch + days) }

    static func < (lhs: OperatingDay, rhs: OperatingDay) -> Bool { lhs.daysSinceEpoch < rhs.daysSinceEpoch }

    static func daysIn(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 (proleptic Gregorian; Howard Hinnant's civil-day arithmetic).
    var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    init(daysSinceEpoch days: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.init(year: yoe + era * 400 + (m <= 2 ? 1 : 0), month: m, day: d)
    }
}

/// Clock-time helpers for minutes after midnight.
enum ClockText {
    /// `540` -> `"09:00"`.
    static func hhmm(_ minutes: Int) -> String { String(format: "%02d:%02d", minutes / 60, minutes % 60) }

    /// `480` -> `"8:00:00 AM"`, the 12-hour form of MISO's live feeds; `seconds` adds to the minute.
    static func twelveHour(_ minutes: Int, seconds: Int = 0) -> String {
        let hour24 = (minutes / 60) % 24
        let hour12 = hour24 % 12 == 0 ? 12 : hour24 % 12
        return String(format: "%d:%02d:%02d ", hour12, minutes % 60, seconds) + (hour24 < 12 ? "AM" : "PM")
    }

    /// Parses `HH:MM` on the 5-minute grid into minutes after midnight; nil otherwise.
    static func gridMinutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2,
              let h = Int(parts[0]), let m = Int(parts[1]), (0...23).contains(h), (0...59).contains(m), m % 5 == 0
        else { return nil }
        return h * 60 + m
    }
}
