import Foundation

/// Exponential backoff with full jitter: attempt n waits a random time in
/// `0 ... min(maxDelay, baseDelay * 2^(n-1))`, or what the server's `Retry-After` asks (capped by
/// `maxRetryAfter`).
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in all, including the first (1 = no retry).
    public var maxAttempts: Int
    /// Seconds; the cap of the first backoff.
    public var baseDelay: Double
    /// Seconds; no backoff is longer.
    public var maxDelay: Double
    /// Seconds; a longer `Retry-After` is cut to this.
    public var maxRetryAfter: Double

    public init(maxAttempts: Int = 4, baseDelay: Double = 1, maxDelay: Double = 30, maxRetryAfter: Double = 120) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = max(0, baseDelay)
        self.maxDelay = max(0, maxDelay)
        self.maxRetryAfter = max(0, maxRetryAfter)
    }

    /// How long to wait before attempt `attempt + 1`, after attempt `attempt` (1-based) failed.
    public func delay(afterAttempt attempt: Int, retryAfter: String?, now: Date = Date(),
                      random: (ClosedRange<Double>) -> Double = { Double.random(in: $0) }) -> Double {
        if let retryAfter, let seconds = RetryPolicy.parseRetryAfter(retryAfter, now: now) {
            return min(max(0, seconds), maxRetryAfter)
        }
        let exponent = min(Double(attempt - 1), 30)
        let cap = min(maxDelay, baseDelay * pow(2, exponent))
        return cap <= 0 ? 0 : random(0...cap)
    }

    /// Reads `Retry-After` as delta-seconds or an HTTP-date (RFC 9110).
    public static func parseRetryAfter(_ value: String, now: Date = Date()) -> Double? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed), seconds >= 0 { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: trimmed) { return max(0, date.timeIntervalSince(now)) }
        }
        return nil
    }
}
