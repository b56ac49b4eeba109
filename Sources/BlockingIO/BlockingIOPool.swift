import Foundation

/// A bounded set of dedicated threads for blocking C calls (libcurl's easy interface, hiredis,
/// SQLite, librdkafka, sockets), so that none of them ever occupies a thread of Swift's
/// cooperative pool.
///
/// Threads are started on demand, up to ``maximumThreads``, and then kept; work beyond that waits
/// in a first-in first-out queue. ``run(_:)`` is the async door. A blocking call that has been
/// handed over runs to its end (its own timeouts bound it) whether or not the calling task is
/// cancelled meanwhile: cancellation is checked by the callers between calls and ends their waits
/// (backoff, rate limits, reconnects), never a transfer half done.
///
/// ```swift
/// let rows = try await BlockingIOPool.shared.run { try database.query(sql) }
/// ```
///
/// Thread safety: `@unchecked Sendable` because its mutable fields (the queue and the thread
/// counts) are read and written only while `condition` is locked; the closures it runs are
/// `@Sendable`.
public final class BlockingIOPool: @unchecked Sendable {
    /// The pool every backend shares unless it is given one of its own.
    public static let shared = BlockingIOPool(name: "scraper-io", maximumThreads: 64)

    /// A label for the pool's threads (seen in debuggers and `top -H`).
    public let name: String
    /// The most threads the pool starts.
    public let maximumThreads: Int

    private let condition = NSCondition()
    private var queue: [@Sendable () -> Void] = []
    private var queueHead = 0
    private var threadCount = 0
    private var idleCount = 0

    /// - Parameters:
    ///   - name: a label for the pool's threads.
    ///   - maximumThreads: how many threads it may start (at least 1).
    public init(name: String, maximumThreads: Int) {
        self.name = name
        self.maximumThreads = max(1, maximumThreads)
    }

    /// Runs `work` on one of the pool's threads and returns its result.
    public func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            execute {
                continuation.resume(with: Result { try work() })
            }
        }
    }

    /// Queues `work` for a pool thread and returns at once. For long-lived loops (an accept
    /// loop, a poll loop) that hand their results over by other means.
    public func execute(_ work: @escaping @Sendable () -> Void) {
        condition.lock()
        queue.append(work)
        // Wake an idle thread only when there are more idle threads than queued work: a thread
        // signalled but not yet awake still counts as idle, and two jobs must not be left to it.
        let queued = queue.count - queueHead
        if idleCount >= queued {
            condition.signal()
        } else if threadCount < maximumThreads {
            threadCount += 1
            let thread = Thread { [self] in workerLoop() }
            thread.name = "\(name)-\(threadCount)"
            thread.stackSize = 2 << 20
            thread.start()
        }
        condition.unlock()
    }

    /// Threads started so far (for tests and diagnostics).
    public var startedThreads: Int {
        condition.lock()
        defer { condition.unlock() }
        return threadCount
    }

    private func workerLoop() {
        while true {
            condition.lock()
            while queueHead == queue.count {
                idleCount += 1
                condition.wait()
                idleCount -= 1
            }
            let work = queue[queueHead]
            queueHead += 1
            if queueHead > 64, queueHead * 2 > queue.count {
                queue.removeFirst(queueHead)
                queueHead = 0
            }
            condition.unlock()
            work()
        }
    }
}
