import CollectionFramework
import Foundation

/// How the ISOs write local wall-clock times: `MM/DD/YYYY HH:MM:SS` (NYISO real time, SPP) or
/// `MM/DD/YYYY HH:MM` (NYISO day-ahead), in the market's prevailing time, with no offset, so the
/// fall-back hour's stamps simply repeat.
enum WallClockText {
    /// `instant` as the market writes it in `zone`.
    static func format(_ instant: Date, in zone: TimeZone, seconds: Bool) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: instant)
        let base = String(format: "%02d/%02d/%04d %02d:%02d", c.month!, c.day!, c.year!, c.hour!, c.minute!)
        return seconds ? base + String(format: ":%02d", c.second!) : base
    }

    /// The instant `MM/DD/YYYY HH:MM[:SS]` names in `zone` (an ambiguous fall-back time gives its first
    /// occurrence), or nil for other text.
    static func instant(_ text: String, in zone: TimeZone) -> Date? {
        guard let p = parse(text) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar.date(from: DateComponents(year: p.date.year, month: p.date.month, day: p.date.day,
                                                  hour: p.hour, minute: p.minute, second: p.second))
    }

    /// The fields of `MM/DD/YYYY HH:MM[:SS]`, or nil for any other text.
    static func parse(_ text: String) -> (date: CalendarDate, hour: Int, minute: Int, second: Int)? {
        let bytes = Array(text.utf8)
        guard bytes.count == 16 || bytes.count == 19, bytes[2] == 0x2F, bytes[5] == 0x2F, bytes[10] == 0x20, bytes[13] == 0x3A else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let byte = bytes[index]
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard let month = number(0..<2), let day = number(3..<5), let year = number(6..<10),
              let hour = number(11..<13), let minute = number(14..<16), hour < 24, minute < 60,
              let date = CalendarDate(year: year, month: month, day: day) else { return nil }
        var second = 0
        if bytes.count == 19 {
            guard bytes[16] == 0x3A, let s = number(17..<19), s < 60 else { return nil }
            second = s
        }
        return (date, hour, minute, second)
    }
}

extension MarketDay {
    /// The instants that end each `minutes`-long interval of the day (the first is start + step, the
    /// last is the next local midnight): 288 five-minute ends on a normal day, 276 and 300 on the
    /// spring and autumn changes.
    func intervalEnds(minutes: Int) -> [Date] {
        let step = TimeInterval(minutes * 60)
        return (1...expectedIntervals(minutes: minutes)).map { start.addingTimeInterval(step * Double($0)) }
    }

    /// The instants that start each interval (the first is local midnight).
    func intervalStarts(minutes: Int) -> [Date] {
        let step = TimeInterval(minutes * 60)
        return (0..<expectedIntervals(minutes: minutes)).map { start.addingTimeInterval(step * Double($0)) }
    }

    /// Whole days from this day to `other` (negative when `other` is earlier).
    func days(until other: CalendarDate) -> Int {
        let there = MarketDay(other, timeZone: timeZone).start
        return Int((there.timeIntervalSince(start) / 86_400).rounded())
    }
}
