import CollectionFramework
import Foundation

/// One SPP real-time interval file (`shared/docs/iso-public-feeds.md` §3): named for the interval's
/// END in Central prevailing time, filed in the folder of its START date, with `d` before `.csv`
/// for the files of the fall-back hour's second pass.
struct SPPIntervalFile: Sendable, Equatable {
    static let timeZone = TimeZone(identifier: "America/Chicago")!
    static let utc = TimeZone(identifier: "UTC")!

    /// The interval's end instant.
    let end: Date

    var start: Date { end.addingTimeInterval(-300) }

    /// The market day the interval starts in: the folder's date and the object's partition.
    var startDay: CalendarDate { CalendarDate(start, in: Self.timeZone) }

    /// True in the repeated hour after the fall-back change: the end's UTC offset is larger than an
    /// hour earlier (CST after CDT), the rule gridstatus's `_format_5_min_url` uses.
    var isRepeatedHour: Bool {
        abs(Self.timeZone.secondsFromGMT(for: end)) > abs(Self.timeZone.secondsFromGMT(for: end.addingTimeInterval(-3600)))
    }

    /// `RTBM-LMP-SL-202411030105d.csv`.
    var name: String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = Self.timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: end)
        return String(format: "RTBM-LMP-SL-%04d%02d%02d%02d%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!) + (isRepeatedHour ? "d" : "") + ".csv"
    }

    /// `/2024/06/By_Interval/30/RTBM-LMP-SL-202407010000.csv`.
    var path: String {
        let day = startDay
        return String(format: "/%04d/%02d/By_Interval/%02d/", day.year, day.month, day.day) + name
    }

    /// The `Interval` column's text: the local end, `MM/DD/YYYY HH:MM:SS`.
    var localEndText: String { WallClockText.format(end, in: Self.timeZone, seconds: true) }
    /// The `GMTIntervalEnd` column's text: the same instant in UTC.
    var utcEndText: String { WallClockText.format(end, in: Self.utc, seconds: true) }

    /// Every file of a market day: the intervals that start in it (288, or 276/300 on DST days).
    static func files(of day: CalendarDate) -> [SPPIntervalFile] {
        MarketDay(day, timeZone: timeZone).intervalEnds(minutes: 5).map(SPPIntervalFile.init(end:))
    }

    /// The `count` latest files whose interval has ended by `now`.
    static func latest(_ count: Int, before now: Date) -> [SPPIntervalFile] {
        let lastEnd = (now.timeIntervalSince1970 / 300).rounded(.down) * 300
        return (0..<count).reversed().map { SPPIntervalFile(end: Date(timeIntervalSince1970: lastEnd - Double($0 * 300))) }
    }
}
