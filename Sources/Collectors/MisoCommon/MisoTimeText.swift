import CollectionFramework

/// Parsers for the time and number texts of MISO's live feeds (shared by every MISO collector).
enum MisoTimeText {
    /// A wall-clock time in MISO's time.
    struct LocalTime: Equatable {
        var date: CalendarDate
        var hour: Int
        var minute: Int
        var second: Int
    }

    /// A `RefId` such as `27-Jul-2026 - Interval 08:00 EST`.
    struct RefId: Equatable {
        var date: CalendarDate
        /// `HH:MM`.
        var interval: String
    }

    private static let months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]

    /// Parses `D-Mon-YYYY - Interval HH:MM EST` (day one or two digits, English month abbreviation).
    static func parseRefId(_ text: String) -> RefId? {
        guard text.hasSuffix(" EST") else { return nil }
        let body = text.dropLast(4)
        let halves = body.components(separatedBy: " - Interval ")
        guard halves.count == 2 else { return nil }
        let dateParts = halves[0].split(separator: "-", omittingEmptySubsequences: false)
        guard dateParts.count == 3, (1...2).contains(dateParts[0].count), dateParts[2].count == 4,
              let day = number(dateParts[0]), let year = number(dateParts[2]),
              let monthIndex = months.firstIndex(of: dateParts[1].uppercased()),
              let date = CalendarDate(year: year, month: monthIndex + 1, day: day) else { return nil }
        let time = halves[1].split(separator: ":", omittingEmptySubsequences: false)
        guard time.count == 2, time[0].count == 2, time[1].count == 2,
              let hour = number(time[0]), let minute = number(time[1]), hour < 24, minute < 60 else { return nil }
        return RefId(date: date, interval: String(halves[1]))
    }

    /// Parses `yyyy-MM-dd h:mm:ss AM` / `PM` (hour 1-12, one or two digits).
    static func parseMeridiemTime(_ text: String) -> LocalTime? {
        let parts = text.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, let date = CalendarDate(iso: String(parts[0])) else { return nil }
        let meridiem = parts[2]
        guard meridiem == "AM" || meridiem == "PM" else { return nil }
        let clock = parts[1].split(separator: ":", omittingEmptySubsequences: false)
        guard clock.count == 3, (1...2).contains(clock[0].count), clock[1].count == 2, clock[2].count == 2,
              let hour12 = number(clock[0]), let minute = number(clock[1]), let second = number(clock[2]),
              (1...12).contains(hour12), minute < 60, second < 60 else { return nil }
        let hour = hour12 % 12 + (meridiem == "PM" ? 12 : 0)
        return LocalTime(date: date, hour: hour, minute: minute, second: second)
    }

    /// Parses ISO local time `yyyy-MM-ddTHH:mm:ss` (no zone, no fraction), e.g. `2026-07-27T08:10:00`.
    static func parseISOLocalTime(_ text: String) -> LocalTime? {
        let halves = text.split(separator: "T", omittingEmptySubsequences: false)
        guard halves.count == 2, let date = CalendarDate(iso: String(halves[0])) else { return nil }
        let clock = halves[1].split(separator: ":", omittingEmptySubsequences: false)
        guard clock.count == 3, clock.allSatisfy({ $0.count == 2 }),
              let hour = number(clock[0]), let minute = number(clock[1]), let second = number(clock[2]),
              hour < 24, minute < 60, second < 60 else { return nil }
        return LocalTime(date: date, hour: hour, minute: minute, second: second)
    }

    /// True for `HH:MM` with two-digit hour 00-23 and minute 00-59 (`08:15`; not `8:15`, `24:00`).
    static func isHourMinute(_ text: String) -> Bool {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2,
              let hour = number(parts[0]), let minute = number(parts[1]) else { return false }
        return hour < 24 && minute < 60
    }

    /// Whole non-negative decimal number made only of ASCII digits.
    private static func number<S: StringProtocol>(_ text: S) -> Int? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return Int(text)
    }

    /// Parses a decimal number written as text (`"45.73"`, `"-1.91"`, `"1e3"`); nil for anything
    /// else, including `None`, `NaN`, `inf`, hex and surrounding spaces, and for values that overflow.
    static func decimal(_ text: String) -> Double? {
        guard let node = try? JSONParser.parse(text), case .number(let value) = node,
              text.utf8.first.map({ $0 == UInt8(ascii: "-") || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) }) == true,
              text.utf8.last.map({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) == true
        else { return nil }
        return value
    }
}
