import CollectionFramework
import Foundation

/// Real-speed time that starts at a chosen instant instead of now, so a test of `0 * * * *` schedules does not
/// depend on the wall-clock minute: started at 10:30:00, the next hourly slot is always half an hour away.
public struct PinnedScheduleClock: ScheduleClock {
    private let start: Date
    private let createdAt: Date

    public init(start: Date) {
        self.start = start
        self.createdAt = Date()
    }

    public func now() -> Date {
        start.addingTimeInterval(Date().timeIntervalSince(createdAt))
    }

    public func sleep(until date: Date, unless cancellation: CancellationFlag) {
        let seconds = date.timeIntervalSince(now())
        if seconds > 0 { CancellationFlag.sleep(seconds, unless: cancellation) }
    }
}

/// Virtual time: stands still while code runs and jumps to the target of each `sleep(until:)` (after a
/// millisecond of real time, so a scheduler loop cannot spin). Every target is recorded, so a test can read
/// exactly when each start was planned (slots and jittered starts) with no scheduling slack at all.
public final class InstantScheduleClock: ScheduleClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date
    private var targets: [Date] = []

    public init(start: Date) {
        current = start
    }

    public func now() -> Date {
        lock.lock(); defer { lock.unlock() }
        return current
    }

    public func sleep(until date: Date, unless cancellation: CancellationFlag) {
        CancellationFlag.sleep(0.001, unless: cancellation)
        if cancellation.isCancelled { return }
        lock.lock()
        targets.append(date)
        if date > current { current = date }
        lock.unlock()
    }

    /// Every `sleep(until:)` target so far, in call order.
    public var sleepTargets: [Date] {
        lock.lock(); defer { lock.unlock() }
        return targets
    }
}
