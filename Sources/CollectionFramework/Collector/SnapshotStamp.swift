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
}
