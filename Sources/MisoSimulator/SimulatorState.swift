import Foundation
import Synchronization

/// Settings that `POST /_sim/config` may change while the simulator runs.
struct SimulatorConfig {
    var fault: SimulatorFault?
    /// How many more requests the fault applies to; 0 = every request until cleared.
    var faultRemaining = 0
    var latencyMilliseconds = 0
    var shape: CTSShape = .documented
    var bindingNone = false
    /// Data responses' bodies go out at about this many bytes per second; 0 = as fast as the client reads.
    var throttleBytesPerSecond = 0
    /// The ISO feeds' clock (`--now`, `now=`); nil = the real time.
    var now: Date?

    /// 10 GB/s: more than loopback delivers, so any larger value means "no throttle" anyway.
    static let maxThrottleBytesPerSecond = 10_000_000_000
}

/// The simulator's mutable state, shared by every connection's task: runtime settings and request counts.
final class SimulatorState: Sendable {
    private struct Counts {
        var config: SimulatorConfig
        var requests = 0
        var byPath: [String: Int] = [:]
        var faultsApplied = 0
        /// When each data request arrived (Unix seconds), the last 100,000: the referee of rate limits.
        var requestTimes: [Double] = []
        /// CAISO requests refused for coming sooner than the minimum interval after the last one.
        var caisoTooFast = 0
        var lastCAISORequest: Date?
    }

    private let counts: Mutex<Counts>
    /// The server's count of accepted TCP connections (set once the server exists).
    private let connectionCount = Mutex<(@Sendable () -> Int)?>(nil)

    func countConnections(_ count: @escaping @Sendable () -> Int) {
        connectionCount.withLock { $0 = count }
    }

    init(config: SimulatorConfig) {
        counts = Mutex(Counts(config: config))
    }

    var currentConfig: SimulatorConfig {
        counts.withLock { $0.config }
    }

    /// Counts one request to a non-control path.
    func recordRequest(path: String) {
        counts.withLock { counts in
            counts.requests += 1
            counts.byPath[path, default: 0] += 1
            counts.requestTimes.append(Date().timeIntervalSince1970)
            if counts.requestTimes.count > 100_000 { counts.requestTimes.removeFirst(counts.requestTimes.count - 100_000) }
        }
    }

    /// Returns the configured fault when it applies to `target` and uses up one of its requests.
    func takeFault(for target: FaultTarget) -> SimulatorFault? {
        takeFault(forAny: [target])
    }

    /// Like ``takeFault(for:)`` for a response that is of several kinds at once (a CAISO ZIP is
    /// `caiso`, `isoZip` and `iso`).
    func takeFault(forAny targets: [FaultTarget]) -> SimulatorFault? {
        counts.withLock { counts in
            guard let fault = counts.config.fault, fault.target == .anyDataEndpoint || targets.contains(fault.target) else { return nil }
            if counts.config.faultRemaining > 0 {
                counts.config.faultRemaining -= 1
                if counts.config.faultRemaining == 0 { counts.config.fault = nil }
            }
            counts.faultsApplied += 1
            return fault
        }
    }

    /// CAISO's referee: false (and counted) when this request comes less than `minimumInterval`
    /// seconds (less 0.25 s of jitter) after the last admitted one; 0 turns it off.
    func admitCAISORequest(at time: Date, minimumInterval: Double) -> Bool {
        counts.withLock { counts in
            if minimumInterval > 0, let last = counts.lastCAISORequest, time.timeIntervalSince(last) < minimumInterval - 0.25 {
                counts.caisoTooFast += 1
                return false
            }
            counts.lastCAISORequest = time
            return true
        }
    }

    func update(_ change: (inout SimulatorConfig) -> Void) {
        counts.withLock { change(&$0.config) }
    }

    func resetStats() {
        counts.withLock { counts in
            counts.requests = 0
            counts.byPath = [:]
            counts.faultsApplied = 0
            counts.requestTimes = []
            counts.caisoTooFast = 0
        }
    }

    /// `{"requests": N, "by_path": {...}, "faults_applied": N, "request_times": [unix seconds...], "config": {...}}`.
    func statsJSON() -> JSONText {
        let connections = connectionCount.withLock { $0 }?() ?? 0
        return counts.withLock { counts in
            let config = counts.config
            return .object([
                ("requests", .number(String(counts.requests))),
                ("by_path", .object(counts.byPath.sorted { $0.key < $1.key }.map { ($0.key, JSONText.number(String($0.value))) })),
                ("faults_applied", .number(String(counts.faultsApplied))),
                ("connections", .number(String(connections))),
                ("request_times", .array(counts.requestTimes.map { JSONText.number(String(format: "%.6f", $0)) })),
                ("caiso_too_fast", .number(String(counts.caisoTooFast))),
                ("config", .object([
                    ("fault", .string(config.fault?.rawValue ?? "none")),
                    ("fault_remaining", .number(String(config.faultRemaining))),
                    ("latency_ms", .number(String(config.latencyMilliseconds))),
                    ("shape", .string(config.shape.rawValue)),
                    ("binding_none", .bool(config.bindingNone)),
                    ("throttle_bytes_per_second", .number(String(config.throttleBytesPerSecond))),
                    ("now", .string(config.now.map(SimulatorClockText.iso8601) ?? "real")),
                ])),
            ])
        }
    }
}
