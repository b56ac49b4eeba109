import CollectionFramework
import Foundation

/// One SPP day-ahead LMP file (`shared/docs/iso-public-feeds.md` §3): one CSV per market day,
/// `/{YYYY}/{MM}/By_Day/DA-LMP-SL-{YYYYMMDD}0100.csv`, named for the day's first hour end (01:00
/// Central) and filed in the market day's own year and month folder.
///
/// The day is the Central prevailing-time day (America/Chicago): 24 hours, 23 on the spring change
/// and 25 on the autumn one. Its rows are labelled by hour END, the first 01:00.
struct SPPDayAheadFile: Sendable, Equatable {
    static let timeZone = TimeZone(identifier: "America/Chicago")!
    static let utc = TimeZone(identifier: "UTC")!

    /// The market day.
    let day: CalendarDate

    var marketDay: MarketDay { MarketDay(day, timeZone: Self.timeZone) }

    /// `DA-LMP-SL-202507140100.csv`.
    var name: String { "DA-LMP-SL-\(day.compact)0100.csv" }

    /// `/2025/07/By_Day/DA-LMP-SL-202507140100.csv`.
    var path: String { String(format: "/%04d/%02d/By_Day/", day.year, day.month) + name }

    /// The instants that end each hour of the day, in order: the first is 01:00 Central,
    /// the last the next local midnight; 24, 23 or 25 of them.
    var hourEnds: [Date] { marketDay.intervalEnds(minutes: 60) }
}
