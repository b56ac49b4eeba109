import Foundation

/// The one retry policy of the framework, for HTTP requests, S3 calls and Redis reconnects:
/// exponential backoff with full jitter. Attempt `n` that fails waits a random time in
/// `0 ... min(maxDelay, baseDelay * 2^(n-1))`, or what the server's `Retry-After` asks (seconds or
/// an HTTP date, capped by `maxRetryAfter`). Every wait is cancellable (``pause(_:)``).
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

    /// Requests to a data source (`retry:` in collectors.yaml overrides it per collector).
    public static let http = RetryPolicy()
    /// Calls to S3: short waits, a few tries.
    public static let s3 = RetryPolicy(maxAttempts: 4, baseDelay: 0.2, maxDelay: 5, maxRetryAfter: 5)

    /// How long to wait before attempt `attempt + 1`, after attempt `attempt` (1-based) failed.
    public func delay(afterAttempt attempt: Int, retryAfter: String?, now: Date = Date(),
                      random: (ClosedRange<Double>) -> Double = { Double.random(in: $0) }) -> Double {
        delay(afterAttempt: attempt, retryAfterSeconds: retryAfter.flatMap { RetryPolicy.parseRetryAfter($0, now: now) },
              random: random)
    }

    /// Like ``delay(afterAttempt:retryAfter:now:random:)`` with the server's hint already in seconds.
    public func delay(afterAttempt attempt: Int, retryAfterSeconds: Double?,
                      random: (ClosedRange<Double>) -> Double = { Double.random(in: $0) }) -> Double {
        if let retryAfterSeconds {
            return min(max(0, retryAfterSeconds), maxRetryAfter)
        }
        let exponent = min(Double(attempt - 1), 30)
        let cap = min(maxDelay, baseDelay * pow(2, exponent))
        return cap <= 0 ? 0 : random(0...cap)
    }

    /// Waits `seconds`; throws `CancellationError` at once when the task is cancelled meanwhile.
    public static func pause(_ seconds: Double) async throws {
        guard seconds > 0 else { return try Task.checkCancellation() }
        try await Task.sleep(for: .nanoseconds(Int64(min(seconds, 86_400) * 1e9)))
    }

    /// The wait an error page asks for in words ("Please retry your request after 5 seconds."), as
    /// delta-seconds for ``parseRetryAfter(_:now:)``; nil when the body names none.
    public static func retryAfterInBody(_ body: Data) -> String? {
        let text = String(decoding: body.prefix(16 << 10), as: UTF8.self).lowercased()
        guard let phrase = text.range(of: #"retry[a-z ]{0,24} after (\d{1,4}) second"#, options: .regularExpression) else { return nil }
        let digits = text[phrase].split(separator: " ").first { $0.allSatisfy(\.isNumber) }
        return digits.map(String.init)
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
