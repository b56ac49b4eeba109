import Foundation

/// How S3 calls are retried: the framework's one ``RetryPolicy`` (exponential backoff with full
/// jitter, ``RetryPolicy/s3`` by default) for transient failures (5xx, throttling, resets,
/// timeouts), plus the two things tests replace: the wait and the dice. 4xx answers other than
/// throttling are never retried.
public struct S3RetryPolicy: Sendable {
    /// The backoff itself.
    public var policy: RetryPolicy
    /// Waits the given seconds, cancellably (injectable so tests need not sleep).
    public var sleep: @Sendable (Double) async throws -> Void
    /// A random number in `0...upper` (injectable for deterministic tests).
    public var random: @Sendable (Double) -> Double

    /// Total tries, including the first.
    public var maxAttempts: Int { policy.maxAttempts }

    public init(maxAttempts: Int = RetryPolicy.s3.maxAttempts, baseDelay: Double = RetryPolicy.s3.baseDelay,
                maxDelay: Double = RetryPolicy.s3.maxDelay,
                sleep: @escaping @Sendable (Double) async throws -> Void = { seconds in try await RetryPolicy.pause(seconds) },
                random: @escaping @Sendable (Double) -> Double = { upper in upper > 0 ? Double.random(in: 0...upper) : 0 }) {
        // A server's Retry-After is honoured up to the longest backoff.
        self.policy = RetryPolicy(maxAttempts: maxAttempts, baseDelay: baseDelay, maxDelay: maxDelay, maxRetryAfter: maxDelay)
        self.sleep = sleep
        self.random = random
    }

    /// Seconds to wait after failed attempt `attempt` (1-based); `retryAfter` is a server's hint in seconds.
    public func delay(afterAttempt attempt: Int, retryAfter: Double? = nil) -> Double {
        policy.delay(afterAttempt: attempt, retryAfterSeconds: retryAfter.flatMap { $0 > 0 ? $0 : nil },
                     random: { random($0.upperBound) })
    }
}
