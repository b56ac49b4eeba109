import Synchronization

/// A value that a pool thread sets once and a task awaits: how a blocking call reports
/// something before it has finished (a response's status and headers while its body still
/// streams). The first ``resolve(_:)`` wins; later ones are ignored.
public final class AsyncOneShot<Value: Sendable>: Sendable {
    private struct State {
        var result: Result<Value, any Error>?
        var waiters: [CheckedContinuation<Value, any Error>] = []
    }

    private let state = Mutex(State())

    public init() {}

    /// Sets the value (or error) and wakes every waiter; returns false when it was already set.
    @discardableResult
    public func resolve(_ result: Result<Value, any Error>) -> Bool {
        let waiters: [CheckedContinuation<Value, any Error>]? = state.withLock { s in
            guard s.result == nil else { return nil }
            s.result = result
            defer { s.waiters = [] }
            return s.waiters
        }
        guard let waiters else { return false }
        for waiter in waiters { waiter.resume(with: result) }
        return true
    }

    /// True once a value or an error is set.
    public var isResolved: Bool { state.withLock { $0.result != nil } }

    /// Waits for the value.
    public var value: Value {
        get async throws {
            try await withCheckedThrowingContinuation { continuation in
                let ready: Result<Value, any Error>? = state.withLock { s in
                    if let result = s.result { return result }
                    s.waiters.append(continuation)
                    return nil
                }
                if let ready { continuation.resume(with: ready) }
            }
        }
    }
}
