import Foundation

/// Spaces requests to each host evenly: at most `requestsPerMinute` a minute per host
/// (0 = unlimited). Thread-safe; callers block until their slot.
public final class RateLimiter: @unchecked Sendable {
    public let requestsPerMinute: Double
    private var nextSlot: [String: Date] = [:]
    private let lock = NSLock()

    public init(requestsPerMinute: Double) {
        self.requestsPerMinute = max(0, requestsPerMinute)
    }

    /// Reserves the next slot for `host` and sleeps until it; returns the seconds waited.
    @discardableResult
    public func acquire(host: String, cancellation: CancellationFlag? = nil) -> Double {
        guard requestsPerMinute > 0 else { return 0 }
        let spacing = 60.0 / requestsPerMinute
        lock.lock()
        let now = Date()
        let slot = max(now, nextSlot[host] ?? now)
        nextSlot[host] = slot.addingTimeInterval(spacing)
        lock.unlock()
        let wait = slot.timeIntervalSince(now)
        if wait > 0 { CancellationFlag.sleep(wait, unless: cancellation) }
        return wait
    }
}

/// A flag set once when a run should stop taking new work (SIGINT/SIGTERM); sleeps wake early.
public final class CancellationFlag: @unchecked Sendable {
    private let condition = NSCondition()
    private var cancelled = false

    public init() {}

    public var isCancelled: Bool {
        condition.lock()
        defer { condition.unlock() }
        return cancelled
    }

    public func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    /// Sleeps `seconds`, returning early when `flag` is cancelled.
    public static func sleep(_ seconds: Double, unless flag: CancellationFlag?) {
        guard let flag else {
            Thread.sleep(forTimeInterval: seconds)
            return
        }
        let deadline = Date().addingTimeInterval(seconds)
        flag.condition.lock()
        while !flag.cancelled && Date() < deadline {
            _ = flag.condition.wait(until: deadline)
        }
        flag.condition.unlock()
    }
}
