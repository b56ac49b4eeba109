import Foundation

/// The day and minute a snapshot was collected, on the source's clock: what a snapshot feed's
/// identifier and partition are made from.
///
/// ```swift
/// let stamp = SnapshotStamp(request.collectionTime, in: TimeZone(secondsFromGMT: -5 * 3600)!)
/// stamp.identifier(prefix: "exante_lmp")   // "exante_lmp_snapshot_20260727_0815.json"
/// stamp.day                                 // the partition day, 2026-07-27
/// ```
public struct SnapshotStamp: Sendable, Equatable {
    /// The calendar day of the collection time in the source's time zone (the partition day).
    public let day: CalendarDate
    /// `HHMM` of the collection time in the source's time zone.
    public let hourMinute: String

    /// Reads `time` on the clock of `timeZone`.
    public init(_ time: Date, in timeZone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: time)
        day = CalendarDate(year: c.year!, month: c.month!, day: c.day!) ?? CalendarDate(time, in: timeZone)
        hourMinute = String(format: "%02d%02d", c.hour!, c.minute!)
    }

    /// `{prefix}_snapshot_{YYYYMMDD}_{HHMM}[_{part}...].{fileExtension}`; `parts` must already be
    /// safe for a storage key (see ``IdentifierComponent/sanitize(_:)``).
    public func identifier(prefix: String, parts: [String] = [], fileExtension: String = "json") -> String {
        ([prefix, "snapshot", day.compact, hourMinute] + parts).joined(separator: "_") + "." + fileExtension
    }

    /// The collection minute a name made by ``identifier(prefix:parts:fileExtension:)`` carries
    /// (`…_snapshot_YYYYMMDD_HHMM…`), read on `timeZone`'s clock; nil for any other name.
    public static func time(inIdentifier identifier: String, timeZone: TimeZone) -> Date? {
        guard let range = identifier.range(of: "_snapshot_") else { return nil }
        let stamp = Array(identifier[range.upperBound...].utf8.prefix(13))   // YYYYMMDD_HHMM
        guard stamp.count == 13, stamp[8] == UInt8(ascii: "_") else { return nil }
        func number(_ from: Int, _ count: Int) -> Int? {
            let digits = stamp[from..<from + count]
            guard digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
            return Int(String(decoding: digits, as: UTF8.self))
        }
        guard let year = number(0, 4), let month = number(4, 2), let day = number(6, 2),
              let hour = number(9, 2), let minute = number(11, 2), hour < 24, minute < 60,
              CalendarDate(year: year, month: month, day: day) != nil else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute))
    }
}
