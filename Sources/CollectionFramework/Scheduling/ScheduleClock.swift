import Foundation

/// The time a scheduler reads and the way it waits. ``SystemScheduleClock`` is real time;
/// ``ScaledScheduleClock`` runs faster so tests (and demos) can watch a minute schedule fire every second.
public protocol ScheduleClock: Sendable {
    /// The current (possibly scaled) time.
    func now() -> Date
    /// Waits until ``now()`` reaches `date`; throws `CancellationError` when the task is cancelled first.
    func sleep(until date: Date) async throws
}

/// Real time.
public struct SystemScheduleClock: ScheduleClock {
    public init() {}
    public func now() -> Date { Date() }
    public func sleep(until date: Date) async throws {
        try await RetryPolicy.pause(date.timeIntervalSinceNow)
    }
}

/// Time that starts at the real time of creation and then runs `speed` times faster
/// (`speed` 60: a `* * * * *` schedule fires every real second).
public struct ScaledScheduleClock: ScheduleClock {
    public let speed: Double
    private let origin: Date

    public init(speed: Double, origin: Date = Date()) {
        precondition(speed > 0, "speed must be positive")
        self.speed = speed
        self.origin = origin
    }

    public func now() -> Date {
        origin.addingTimeInterval(Date().timeIntervalSince(origin) * speed)
    }

    public func sleep(until date: Date) async throws {
        try await RetryPolicy.pause(date.timeIntervalSince(now()) / speed)
    }
}
