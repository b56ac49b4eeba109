import Foundation
import Logging
import Synchronization

/// Paces requests to a source: at most `requestsPerMinute` a minute for each key, where the key is the
/// request's host or a named `rate_limit_group`. One pacer serves every collector of a process (three
/// collectors on one host share its limit), and with a Redis registry every process (``RedisRequestPacer``).
public protocol RequestPacer: Sendable {
    /// Reserves the next slot of `key` and waits for it (cancellably); returns the seconds waited.
    /// `requestsPerMinute` 0 is unlimited.
    func acquire(key: String, requestsPerMinute: Double) async throws -> Double
}

/// The process's pacer: evenly spaced slots per key. When collectors ask different rates for one key,
/// the strictest one seen is kept (the source's limit is the smallest anyone configured).
public final class ProcessRequestPacer: RequestPacer {
    /// The one every pipeline of the process uses unless told otherwise.
    public static let shared = ProcessRequestPacer()

    private struct Slots {
        var next: ContinuousClock.Instant
        var spacing: Duration
    }
    private let slots = Mutex<[String: Slots]>([:])

    public init() {}

    public func acquire(key: String, requestsPerMinute: Double) async throws -> Double {
        guard requestsPerMinute > 0 else { return 0 }
        let requested = Duration.nanoseconds(Int64(60.0 / requestsPerMinute * 1e9))
        let now = ContinuousClock.now
        let slot = slots.withLock { all in
            var entry = all[key] ?? Slots(next: now, spacing: requested)
            entry.spacing = max(entry.spacing, requested)
            let slot = max(now, entry.next)
            entry.next = slot + entry.spacing
            all[key] = entry
            return slot
        }
        guard slot > now else { return 0 }
        try await Task.sleep(until: slot, clock: .continuous)
        let waited = slot - now
        return Double(waited.components.seconds) + Double(waited.components.attoseconds) / 1e18
    }
}

/// Slots shared by every process on one Redis: a GCRA-style reservation in one Lua script, atomic on the
/// server and timed by the server's clock (`TIME`), so machines with skewed clocks still agree.
/// `ratelimit:{env}:{key}` holds the next free slot (ms); each caller takes it, moves it one spacing on,
/// and waits until its slot. If Redis cannot be asked, the process's own pacer is used, with a warning:
/// a limiter must never fail a run.
public final class RedisRequestPacer: RequestPacer {
    let registry: RedisHashRegistry
    let fallback: any RequestPacer
    let logger: Logger
    private let warned = Mutex(false)

    /// Returns the milliseconds to wait for the reserved slot.
    static let script = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local spacing = tonumber(ARGV[1])
        local slot = tonumber(redis.call('GET', KEYS[1]) or '0')
        if slot < now then slot = now end
        redis.call('SET', KEYS[1], tostring(slot + spacing), 'PX', tostring(slot - now + spacing + 60000))
        return slot - now
        """

    public init(registry: RedisHashRegistry, fallback: any RequestPacer = ProcessRequestPacer.shared,
                logger: Logger = Logger(label: "scraper.ratelimit")) {
        self.registry = registry
        self.fallback = fallback
        self.logger = logger
    }

    public func acquire(key: String, requestsPerMinute: Double) async throws -> Double {
        guard requestsPerMinute > 0 else { return 0 }
        let spacing = max(1, Int((60_000 / requestsPerMinute).rounded(.up)))
        let redisKey = "ratelimit:\(registry.environment):\(key)"
        let waitMilliseconds: Int
        do {
            waitMilliseconds = try await registry.perform("EVAL (rate limit)") { connection, _ in
                try connection.checkedCommand(["EVAL", Self.script, "1", redisKey, String(spacing)]).integer ?? 0
            }
        } catch {
            if !warned.withLock({ let was = $0; $0 = true; return was }) {
                logger.warning("the shared rate limit in Redis could not be asked (\(error)); pacing \(key) within this process only")
            }
            return try await fallback.acquire(key: key, requestsPerMinute: requestsPerMinute)
        }
        guard waitMilliseconds > 0 else { return 0 }
        try await Task.sleep(for: .milliseconds(waitMilliseconds))
        return Double(waitMilliseconds) / 1000
    }
}
