import Synchronization

/// The time a download spent waiting instead of talking to the server: for its rate-limit slot and in
/// retry backoff. ``ResilientHTTPClient`` adds to the account of the task it runs in (``current``),
/// so the pipeline can report the API's own response time without those waits, which get their own
/// histogram (`scraper_http_wait_seconds{reason}`).
public final class HTTPWaitAccount: Sendable {
    /// The account of the download running in this task, if the caller opened one.
    @TaskLocal public static var current: HTTPWaitAccount?

    private let total = Mutex<Duration>(.zero)

    public init() {}

    /// Adds a wait.
    public func add(_ wait: Duration) {
        total.withLock { $0 += wait }
    }

    /// Everything waited so far.
    public var waited: Duration { total.withLock { $0 } }
}
