import CollectionFramework
import Foundation

/// The two NYISO zonal LBMP reports: real time (P-24A, 5-minute, stamped at the interval END with
/// seconds) and day ahead (P-2A, hourly, stamped at the hour START without seconds).
/// Facts from `shared/docs/iso-public-feeds.md` §1.
enum NYISOZonalMarket: String, Sendable {
    case realTime = "realtime"
    case dayAhead = "damlbmp"

    /// NYISO's market clock: Eastern prevailing time.
    static let timeZone = TimeZone(identifier: "America/New_York")!

    /// The folder and file-name stem: `realtime` or `damlbmp`.
    var folder: String { rawValue }
    var intervalMinutes: Int { self == .realTime ? 5 : 60 }

    /// `20250120realtime_zone.csv`: the daily file, and the member's name inside the monthly ZIP.
    func dailyFileName(_ day: CalendarDate) -> String { "\(day.compact)\(folder)_zone.csv" }

    /// `20250101realtime_zone_csv.zip`: the archive of the day's month.
    func monthlyArchiveName(_ day: CalendarDate) -> String {
        String(format: "%04d%02d01%@_zone_csv.zip", day.year, day.month, folder)
    }

    /// Every stamp a complete file of `day` carries, in file order. Real time: each interval's end
    /// with seconds, from `00:05:00` to the next day's `00:00:00` (the label of that boundary
    /// interval is *unconfirmed* in the reference; this follows "interval end" literally). Day ahead:
    /// each hour's start, `00:00` to `23:00`. In the fall-back hour the local stamps repeat.
    func expectedStamps(_ day: CalendarDate) -> [String] {
        expectedIntervals(day).map(\.stamp)
    }

    /// Each stamp of ``expectedStamps(_:)`` with the UTC start of its interval.
    func expectedIntervals(_ day: CalendarDate) -> [(stamp: String, start: Date)] {
        let market = MarketDay(day, timeZone: Self.timeZone)
        switch self {
        case .realTime:
            return market.intervalEnds(minutes: 5).map { (WallClockText.format($0, in: Self.timeZone, seconds: true), $0.addingTimeInterval(-300)) }
        case .dayAhead:
            return market.intervalStarts(minutes: 60).map { (WallClockText.format($0, in: Self.timeZone, seconds: false), $0) }
        }
    }
}

/// The 15 rows of every interval: 11 internal zones and 4 external proxies, with their PTIDs.
enum NYISOZones {
    static let ptids: [String: String] = [
        "CAPITL": "61757", "CENTRL": "61754", "DUNWOD": "61760", "GENESE": "61753", "H Q": "61844",
        "HUD VL": "61758", "LONGIL": "61762", "MHK VL": "61756", "MILLWD": "61759", "N.Y.C.": "61761",
        "NORTH": "61755", "NPX": "61845", "O H": "61846", "PJM": "61847", "WEST": "61752",
    ]
}
