import CollectionFramework
import Foundation
import Synchronization

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

    public func sleep(until date: Date) async throws {
        try await RetryPolicy.pause(date.timeIntervalSince(now()))
    }
}

/// Virtual time: stands still while code runs and jumps to the target of each `sleep(until:)` (after a
/// millisecond of real time, so a scheduler loop cannot spin). Every target is recorded, so a test can read
/// exactly when each start was planned (slots and jittered starts) with no scheduling slack at all.
public final class InstantScheduleClock: ScheduleClock {
    private let state: Mutex<(current: Date, targets: [Date])>

    public init(start: Date) {
        state = Mutex((start, []))
    }

    public func now() -> Date {
        state.withLock { $0.current }
    }

    public func sleep(until date: Date) async throws {
        try await RetryPolicy.pause(0.001)
        state.withLock { s in
            s.targets.append(date)
            if date > s.current { s.current = date }
        }
    }

    /// Every `sleep(until:)` target so far, in call order.
    public var sleepTargets: [Date] {
        state.withLock { $0.targets }
    }
}
