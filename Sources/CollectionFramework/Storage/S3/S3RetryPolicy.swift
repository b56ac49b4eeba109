import Foundation

/// Exponential backoff with full jitter for transient S3 failures (5xx, throttling, resets, timeouts).
///
/// Attempt `n` (1-based) that fails transiently waits a random time in `0...min(maxDelay, baseDelay * 2^(n-1))`
/// (at least a server's `Retry-After`, still capped) before attempt `n + 1`. 4xx answers are never retried.
public struct S3RetryPolicy: Sendable {
    /// Total tries, including the first.
    public var maxAttempts: Int
    /// Seconds; the first backoff window.
    public var baseDelay: Double
    /// Seconds; no wait is longer.
    public var maxDelay: Double
    /// Waits the given seconds, cancellably (injectable so tests need not sleep).
    public var sleep: @Sendable (Double) async throws -> Void
    /// A random number in `0...upper` (injectable for deterministic tests).
    public var random: @Sendable (Double) -> Double

    public init(maxAttempts: Int = 4, baseDelay: Double = 0.2, maxDelay: Double = 5,
                sleep: @escaping @Sendable (Double) async throws -> Void = { seconds in
                    try await RetryPolicy.pause(min(seconds, 60))
                },
                random: @escaping @Sendable (Double) -> Double = { upper in upper > 0 ? Double.random(in: 0...upper) : 0 }) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = max(0, baseDelay)
        self.maxDelay = max(0, maxDelay)
        self.sleep = sleep
        self.random = random
    }

    /// Seconds to wait after failed attempt `attempt` (1-based); `retryAfter` is a server's hint in seconds.
    public func delay(afterAttempt attempt: Int, retryAfter: Double? = nil) -> Double {
        let window = min(maxDelay, baseDelay * pow(2, Double(max(0, attempt - 1))))
        let jittered = random(window)
        guard let retryAfter, retryAfter > 0 else { return jittered }
        return min(maxDelay, max(jittered, retryAfter))
    }
}
