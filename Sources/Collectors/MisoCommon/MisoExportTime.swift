import CollectionFramework
import Foundation

/// Times as MISO exports write them: UTC and MISO time (EST, UTC-05:00 all year) as ISO 8601.
enum MisoExportTime {
    /// `2025-01-20T14:00:00Z` (``UTCTimestamp``'s form, as the export's `collected_at`).
    static func utc(_ date: Date) -> String { UTCTimestamp.iso8601(date) }

    /// `2025-01-20T09:00:00-05:00`.
    static func misoTime(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = MisoClock.timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d-05:00", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }

    /// The instant of a wall-clock time in MISO's time.
    static func instant(_ time: MisoTimeText.LocalTime) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = MisoClock.timeZone
        return calendar.date(from: DateComponents(year: time.date.year, month: time.date.month, day: time.date.day,
                                                  hour: time.hour, minute: time.minute, second: time.second))
    }

    /// The instant of `HH:MM` on `day` in MISO's time.
    static func instant(day: CalendarDate, hourMinute: String) -> Date? {
        let parts = hourMinute.split(separator: ":")
        guard parts.count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]) else { return nil }
        return instant(MisoTimeText.LocalTime(date: day, hour: hour, minute: minute, second: 0))
    }

    /// An ISO 8601 time with a zone (`2025-01-20T09:00:00-05:00`, `…Z`, optional fraction).
    static func parseZoned(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }

    /// The collection minute of a snapshot name (`cts_snapshot_20250120_0905.json`), in MISO time.
    static func snapshotTime(identifier: String) -> Date? {
        SnapshotStamp.time(inIdentifier: identifier, timeZone: MisoClock.timeZone)
    }
}

/// Reading a stored MISO payload for export.
enum MisoExportPayload {
    /// Parses the payload, or throws the export error naming the object.
    static func parse(_ payload: Data, source: ExportSource) throws -> JSONNode {
        do { return try JSONParser.parse(payload) } catch {
            throw ExportError.unreadablePayload(key: source.key, reason: "not valid JSON (\(error))")
        }
    }

    /// A decimal written as text (`"45.73"`), or a JSON number.
    static func decimal(_ node: JSONNode?) -> Double? {
        node?.number ?? node?.string.flatMap(MisoTimeText.decimal)
    }
}
