import Foundation
import Logging

/// Wraps the shared client with a per-host rate limit and retries: connect errors, timeouts,
/// truncated bodies, 429 and 5xx are retried with backoff (honouring `Retry-After`); other 4xx are
/// returned at once. Each collector gets its own wrapper around the one shared client.
public final class ResilientHTTPClient: HTTPClient, @unchecked Sendable {
    public let base: any HTTPClient
    public let retryPolicy: RetryPolicy
    public let rateLimiter: RateLimiter
    public let logger: Logger
    public let cancellation: CancellationFlag?
    /// Called once per retry (for metrics).
    public var onRetry: (@Sendable (_ cause: String) -> Void)?

    public init(base: any HTTPClient, retryPolicy: RetryPolicy, rateLimiter: RateLimiter, logger: Logger,
                cancellation: CancellationFlag? = nil) {
        self.base = base
        self.retryPolicy = retryPolicy
        self.rateLimiter = rateLimiter
        self.logger = logger
        self.cancellation = cancellation
    }

    public func send(_ request: HTTPRequest) throws -> HTTPResponse {
        let host = URLComponents(string: request.url)?.host ?? request.url
        var attempt = 0
        while true {
            attempt += 1
            rateLimiter.acquire(host: host, cancellation: cancellation)
            let cause: String
            let retryAfter: String?
            do {
                let response = try base.send(request)
                let retryable = response.status == 429 || (500...599).contains(response.status)
                if !retryable { return response }
                if attempt >= retryPolicy.maxAttempts || cancellation?.isCancelled == true {
                    logger.warning("giving up on \(request.url) after \(attempt) attempt(s): HTTP \(response.status)")
                    return response
                }
                cause = "HTTP \(response.status)"
                retryAfter = response.headers["retry-after"]
            } catch let error as HTTPError where error.isTransient {
                if attempt >= retryPolicy.maxAttempts || cancellation?.isCancelled == true {
                    logger.warning("giving up on \(request.url) after \(attempt) attempt(s): \(error)")
                    throw error
                }
                cause = error.description
                retryAfter = nil
            }
            let delay = retryPolicy.delay(afterAttempt: attempt, retryAfter: retryAfter)
            logger.debug("attempt \(attempt) of \(retryPolicy.maxAttempts) for \(request.url) failed (\(cause)); retrying in \(String(format: "%.2f", delay))s")
            onRetry?(cause)
            CancellationFlag.sleep(delay, unless: cancellation)
        }
    }
}
