import Foundation

/// Local market days of the ISOs that follow daylight saving, for the generators: a day runs from
/// local midnight to the next, so it has 23, 24 or 25 hours, and its intervals are walked as UTC
/// instants (the fall-back hour's local stamps then repeat by themselves).
struct MarketClock: Sendable {
    static let eastern = MarketClock(zone: TimeZone(identifier: "America/New_York")!)
    static let central = MarketClock(zone: TimeZone(identifier: "America/Chicago")!)
    static let pacific = MarketClock(zone: TimeZone(identifier: "America/Los_Angeles")!)
    static let utc = MarketClock(zone: TimeZone(identifier: "UTC")!)

    let zone: TimeZone

    private var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar
    }

    /// Local midnight starting `day`.
    func start(_ day: OperatingDay) -> Date {
        calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day))!
    }

    /// The instants every `minutes` from local midnight of `day` up to (not including) the next midnight.
    func steps(_ day: OperatingDay, minutes: Int) -> [Date] {
        let from = start(day), to = start(day.adding(days: 1))
        return stride(from: from.timeIntervalSince1970, to: to.timeIntervalSince1970, by: Double(minutes * 60)).map(Date.init(timeIntervalSince1970:))
    }

    /// The day `instant` falls in here.
    func day(of instant: Date) -> OperatingDay {
        let c = calendar.dateComponents([.year, .month, .day], from: instant)
        return OperatingDay(year: c.year!, month: c.month!, day: c.day!)
    }

    /// The local wall-clock fields of `instant`.
    func fields(_ instant: Date) -> DateComponents {
        calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: instant)
    }

    /// `MM/DD/YYYY HH:MM[:SS]` in this zone.
    func wall(_ instant: Date, seconds: Bool = true) -> String {
        let c = fields(instant)
        let base = String(format: "%02d/%02d/%04d %02d:%02d", c.month!, c.day!, c.year!, c.hour!, c.minute!)
        return seconds ? base + String(format: ":%02d", c.second!) : base
    }

    /// The instant of local wall time `day` `hour`:`minute`, or nil when it does not exist (spring gap);
    /// an ambiguous time gives the first occurrence unless `later`.
    func instant(_ day: OperatingDay, hour: Int, minute: Int, later: Bool = false) -> Date? {
        let candidates = steps(day, minutes: 5) + [start(day.adding(days: 1))]
        let matching = candidates.filter { let c = fields($0); return c.day == day.day && c.hour == hour && c.minute == minute }
        return later ? matching.last : matching.first
    }
}
