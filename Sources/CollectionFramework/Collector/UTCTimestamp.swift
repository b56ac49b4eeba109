import Foundation

/// Formats times the way the Python framework's `datetime.utcnow().isoformat() + "Z"` does:
/// `2025-01-20T14:12:00.123456Z`, the fraction left out when it is zero. Collectors use it for the
/// `collected_at` field of candidate metadata.
public enum UTCTimestamp {
    /// `date` as UTC ISO-8601 with microseconds (dropped when zero) and a trailing `Z`.
    public static func iso8601(_ date: Date) -> String {
        // Beyond year 9999 (or not finite) the arithmetic below could overflow: fall back to Foundation.
        guard date.timeIntervalSince1970.isFinite, abs(date.timeIntervalSince1970) < 253_402_300_800 else {
            return ISO8601DateFormatter().string(from: date)
        }
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded(.down))
        var seconds = micros / 1_000_000
        var fraction = micros % 1_000_000
        if fraction < 0 {
            fraction += 1_000_000
            seconds -= 1
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second],
                                        from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        var text = String(format: "%04d-%02d-%02dT%02d:%02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
        if fraction != 0 { text += String(format: ".%06lld", fraction) }
        return text + "Z"
    }
}
