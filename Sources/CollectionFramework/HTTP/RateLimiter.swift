import Foundation
import Synchronization

/// Spaces requests to each host evenly: at most `requestsPerMinute` a minute per host
/// (0 = unlimited). Safe to share between tasks; callers wait (cancellably) for their slot.
public final class RateLimiter: Sendable {
    public let requestsPerMinute: Double
    private let nextSlot = Mutex<[String: ContinuousClock.Instant]>([:])

    public init(requestsPerMinute: Double) {
        self.requestsPerMinute = max(0, requestsPerMinute)
    }

    /// Reserves the next slot for `host` and waits until it; returns the seconds waited. Throws
    /// `CancellationError` when the task is cancelled while waiting.
    @discardableResult
    public func acquire(host: String) async throws -> Double {
        guard requestsPerMinute > 0 else { return 0 }
        let spacing = Duration.nanoseconds(Int64(60.0 / requestsPerMinute * 1e9))
        let now = ContinuousClock.now
        let slot = nextSlot.withLock { slots in
            let slot = max(now, slots[host] ?? now)
            slots[host] = slot + spacing
            return slot
        }
        guard slot > now else { return 0 }
        try await Task.sleep(until: slot, clock: .continuous)
        let waited = slot - now
        return Double(waited.components.seconds) + Double(waited.components.attoseconds) / 1e18
    }
}
