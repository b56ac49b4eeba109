import Foundation

/// A market's operating day in its local prevailing time (an IANA zone), as the ISOs that follow
/// daylight saving publish them: NYISO and SPP in America/New_York and America/Chicago, CAISO in
/// America/Los_Angeles. MISO's fixed UTC−05:00 is the special case of a zone without DST.
///
/// The day runs from local midnight to the next local midnight, so it lasts 23 hours on the spring
/// change, 25 on the autumn one, and 24 otherwise; objects are partitioned by this day, never by the
/// UTC day its intervals fall in.
public struct MarketDay: Sendable, Equatable, CustomStringConvertible {
    public var date: CalendarDate
    public var timeZone: TimeZone

    public init(_ date: CalendarDate, timeZone: TimeZone) {
        self.date = date
        self.timeZone = timeZone
    }

    /// Throws ``MarketDayError/unknownTimeZone(_:)`` for a name that is not an IANA zone.
    public init(_ date: CalendarDate, timeZoneIdentifier: String) throws {
        guard let zone = TimeZone(identifier: timeZoneIdentifier) else { throw MarketDayError.unknownTimeZone(timeZoneIdentifier) }
        self.init(date, timeZone: zone)
    }

    private var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    /// The instant the day starts: local midnight (e.g. 07:00Z or 08:00Z for a Pacific day).
    public var start: Date {
        calendar.date(from: DateComponents(year: date.year, month: date.month, day: date.day))!
    }

    /// The instant the next day starts (exclusive end).
    public var end: Date { MarketDay(date.next, timeZone: timeZone).start }

    /// 23, 24 or 25.
    public var hours: Int { Int((end.timeIntervalSince(start) / 3600).rounded()) }

    /// Intervals of `minutes` in the day: 288 five-minute intervals on a normal day, 276 and 300 on the
    /// spring and autumn changes; 24 (23, 25) hourly ones.
    public func expectedIntervals(minutes: Int) -> Int {
        Int(end.timeIntervalSince(start)) / (minutes * 60)
    }

    /// The day `instant` belongs to in this market's zone.
    public static func containing(_ instant: Date, timeZone: TimeZone) -> MarketDay {
        MarketDay(CalendarDate(instant, in: timeZone), timeZone: timeZone)
    }

    public var description: String { "\(date) (\(timeZone.identifier))" }
}

/// Why a market day could not be made.
public enum MarketDayError: Error, Equatable, CustomStringConvertible {
    case unknownTimeZone(String)

    public var description: String {
        switch self {
        case .unknownTimeZone(let name):
            return "\(name.debugDescription) is not an IANA time zone name; use one like America/New_York or America/Los_Angeles"
        }
    }
}
