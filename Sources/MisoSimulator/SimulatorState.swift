import Foundation

/// Settings that `POST /_sim/config` may change while the simulator runs.
struct SimulatorConfig {
    var fault: SimulatorFault?
    /// How many more requests the fault applies to; 0 = every request until cleared.
    var faultRemaining = 0
    var latencyMilliseconds = 0
    var shape: CTSShape = .documented
    var bindingNone = false
}

/// The simulator's mutable state, shared by all connection threads: runtime settings and request counts.
final class SimulatorState: @unchecked Sendable {
    private let lock = NSLock()
    private var config: SimulatorConfig
    private var requests = 0
    private var byPath: [String: Int] = [:]
    private var faultsApplied = 0

    init(config: SimulatorConfig) {
        self.config = config
    }

    var currentConfig: SimulatorConfig {
        lock.lock(); defer { lock.unlock() }
        return config
    }

    /// Counts one request to a non-control path.
    func recordRequest(path: String) {
        lock.lock(); defer { lock.unlock() }
        requests += 1
        byPath[path, default: 0] += 1
    }

    /// Returns the configured fault when it applies to `target` and uses up one of its requests.
    func takeFault(for target: FaultTarget) -> SimulatorFault? {
        lock.lock(); defer { lock.unlock() }
        guard let fault = config.fault, fault.target == .anyDataEndpoint || fault.target == target else { return nil }
        if config.faultRemaining > 0 {
            config.faultRemaining -= 1
            if config.faultRemaining == 0 { config.fault = nil }
        }
        faultsApplied += 1
        return fault
    }

    func update(_ change: (inout SimulatorConfig) -> Void) {
        lock.lock(); defer { lock.unlock() }
        change(&config)
    }

    func resetStats() {
        lock.lock(); defer { lock.unlock() }
        requests = 0
        byPath = [:]
        faultsApplied = 0
    }

    /// `{"requests": N, "by_path": {...}, "faults_applied": N, "config": {...}}`.
    func statsJSON() -> JSONText {
        lock.lock(); defer { lock.unlock() }
        return .object([
            ("requests", .number(String(requests))),
            ("by_path", .object(byPath.sorted { $0.key < $1.key }.map { ($0.key, JSONText.number(String($0.value))) })),
            ("faults_applied", .number(String(faultsApplied))),
            ("config", .object([
                ("fault", .string(config.fault?.rawValue ?? "none")),
                ("fault_remaining", .number(String(config.faultRemaining))),
                ("latency_ms", .number(String(config.latencyMilliseconds))),
                ("shape", .string(config.shape.rawValue)),
                ("binding_none", .bool(config.bindingNone)),
            ])),
        ])
    }
}
