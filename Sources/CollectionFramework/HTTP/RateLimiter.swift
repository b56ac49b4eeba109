import Foundation

/// Spaces requests to each host evenly: at most `requestsPerMinute` a minute per host
/// (0 = unlimited), with a pacer of its own. Safe to share between tasks; callers wait (cancellably)
/// for their slot. Pipelines share one ``RequestPacer`` per process instead (``PipelineServices/pacer``);
/// this is the same slot keeping, for a caller that wants a limiter apart.
public final class RateLimiter: Sendable {
    public let requestsPerMinute: Double
    private let pacer = ProcessRequestPacer()

    public init(requestsPerMinute: Double) {
        self.requestsPerMinute = max(0, requestsPerMinute)
    }

    /// Reserves the next slot for `host` and waits until it; returns the seconds waited. Throws
    /// `CancellationError` when the task is cancelled while waiting.
    @discardableResult
    public func acquire(host: String) async throws -> Double {
        try await pacer.acquire(key: host, requestsPerMinute: requestsPerMinute)
    }
}
