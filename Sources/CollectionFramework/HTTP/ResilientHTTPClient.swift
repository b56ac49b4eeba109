import Foundation
import Logging

/// Wraps the shared client with a per-host rate limit and retries: connect errors, timeouts,
/// 429 and 5xx are retried with the ``RetryPolicy`` (honouring `Retry-After`); other 4xx are
/// returned at once. When the task is cancelled during a backoff wait, it gives up at once with
/// the last answer (or error), as after its last attempt. A body that breaks off after the head has arrived throws from the body
/// stream; the pipeline retries the whole collection then (see ``CollectionPipeline``).
/// Each collector gets its own wrapper around the one shared client.
public struct ResilientHTTPClient: HTTPClient {
    public let base: any HTTPClient
    public let retryPolicy: RetryPolicy
    /// Waits for the request's slot at its host; returns the seconds waited.
    let pace: @Sendable (_ host: String) async throws -> Double
    public let logger: Logger
    /// Called once per retry (for metrics).
    public let onRetry: @Sendable (_ cause: String) -> Void
    /// Called after each wait that is not the server's time: `rate_limit` (for the host's slot) or
    /// `retry_backoff`, in seconds. The wait is also added to ``HTTPWaitAccount/current``.
    public let onWait: @Sendable (_ reason: String, _ seconds: Double) -> Void

    public init(base: any HTTPClient, retryPolicy: RetryPolicy, rateLimiter: RateLimiter, logger: Logger,
                onRetry: @escaping @Sendable (_ cause: String) -> Void = { _ in },
                onWait: @escaping @Sendable (_ reason: String, _ seconds: Double) -> Void = { _, _ in }) {
        self.init(base: base, retryPolicy: retryPolicy, pace: { try await rateLimiter.acquire(host: $0) }, logger: logger,
                  onRetry: onRetry, onWait: onWait)
    }

    /// Paced by `pacer` at `requestsPerMinute` per host, or per `group` when one is named: the limit
    /// shared by every collector (and, with Redis, every process) that asks for the same key.
    public init(base: any HTTPClient, retryPolicy: RetryPolicy, pacer: any RequestPacer, requestsPerMinute: Double,
                group: String? = nil, logger: Logger,
                onRetry: @escaping @Sendable (_ cause: String) -> Void = { _ in },
                onWait: @escaping @Sendable (_ reason: String, _ seconds: Double) -> Void = { _, _ in }) {
        self.init(base: base, retryPolicy: retryPolicy,
                  pace: { host in try await pacer.acquire(key: group.map { "group:\($0)" } ?? host, requestsPerMinute: requestsPerMinute) },
                  logger: logger, onRetry: onRetry, onWait: onWait)
    }

    init(base: any HTTPClient, retryPolicy: RetryPolicy, pace: @escaping @Sendable (String) async throws -> Double, logger: Logger,
         onRetry: @escaping @Sendable (_ cause: String) -> Void, onWait: @escaping @Sendable (_ reason: String, _ seconds: Double) -> Void) {
        self.base = base
        self.retryPolicy = retryPolicy
        self.pace = pace
        self.logger = logger
        self.onRetry = onRetry
        self.onWait = onWait
    }

    /// Runs `wait`, then accounts for the time it took under `reason`.
    @discardableResult
    private func waiting<T>(_ reason: String, _ wait: () async throws -> T) async rethrows -> T {
        let started = ContinuousClock.now
        defer {
            let waited = ContinuousClock.now - started
            HTTPWaitAccount.current?.add(waited)
            onWait(reason, Double(waited.components.seconds) + Double(waited.components.attoseconds) / 1e18)
        }
        return try await wait()
    }

    public func stream(_ request: HTTPRequest) async throws -> HTTPStreamingResponse {
        let host = URLComponents(string: request.url)?.host ?? request.url
        var attempt = 0
        while true {
            attempt += 1
            try await waiting("rate_limit") { try await pace(host) }
            let cause: String
            let retryAfter: String?
            let giveUp: () throws -> HTTPStreamingResponse
            do {
                let response = try await base.stream(request)
                let retryable = response.status == 429 || (500...599).contains(response.status)
                if !retryable { return response }
                if attempt >= retryPolicy.maxAttempts || Task.isCancelled {
                    logger.warning("giving up on \(request.url) after \(attempt) attempt(s): HTTP \(response.status)")
                    return response
                }
                let status = response.status
                let excerpt = await response.body.leadingBytes(64 << 10)
                cause = "HTTP \(status)"
                // CAISO's 429 says how long to wait in its HTML body, not in a header.
                retryAfter = response.headers["retry-after"] ?? RetryPolicy.retryAfterInBody(excerpt)
                giveUp = { HTTPStreamingResponse(status: status, headers: response.headers, body: ContentStream(excerpt)) }
            } catch let error as HTTPError where error.isTransient {
                if attempt >= retryPolicy.maxAttempts || Task.isCancelled {
                    logger.warning("giving up on \(request.url) after \(attempt) attempt(s): \(error)")
                    throw error
                }
                cause = error.description
                retryAfter = nil
                giveUp = { throw error }
            }
            let delay = retryPolicy.delay(afterAttempt: attempt, retryAfter: retryAfter)
            logger.debug("attempt \(attempt) of \(retryPolicy.maxAttempts) for \(request.url) failed (\(cause)); retrying in \(String(format: "%.2f", delay))s")
            onRetry(cause)
            do {
                try await waiting("retry_backoff") { try await RetryPolicy.pause(delay) }
            } catch {
                logger.warning("giving up on \(request.url) after \(attempt) attempt(s), the run is stopping: \(cause)")
                return try giveUp()
            }
        }
    }
}
