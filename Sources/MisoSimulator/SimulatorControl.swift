import Foundation
import LoopbackHTTP

/// The `/_sim/*` endpoints: read stats, change settings at run time, clear stats.
///
/// - `GET /_sim/stats` -> `{"requests": N, "by_path": {...}, "faults_applied": N, "config": {...}}`
/// - `POST /_sim/config?fault=NAME&count=N&latency_ms=M&shape=live|documented&binding_none=true|false&throttle_bytes_per_second=N`
///   (only the given settings change; `fault=none` clears; `count` 0 = forever; throttle 0 = off) -> the stats document
/// - `POST /_sim/reset` clears the counts (not the settings) -> the stats document
struct SimulatorControl {
    let state: SimulatorState

    func handle(_ request: LoopbackHTTPRequest) -> LoopbackHTTPResponse {
        switch request.path {
        case "/_sim/stats":
            guard request.method == "GET" else { return methodNotAllowed(request, allowed: "GET") }
            return statsResponse()
        case "/_sim/reset":
            guard request.method == "POST" else { return methodNotAllowed(request, allowed: "POST") }
            state.resetStats()
            return statsResponse()
        case "/_sim/config":
            guard request.method == "POST" else { return methodNotAllowed(request, allowed: "POST") }
            return configure(request)
        default:
            return SimulatorRouter.error(404, "no such control endpoint \(request.path): use /_sim/stats, /_sim/config or /_sim/reset")
        }
    }

    private func configure(_ request: LoopbackHTTPRequest) -> LoopbackHTTPResponse {
        let allowed: Set<String> = ["fault", "count", "latency_ms", "shape", "binding_none", "throttle_bytes_per_second", "now"]
        if let unknown = request.queryItems.first(where: { !allowed.contains($0.name) }) {
            return SimulatorRouter.error(400, "unknown setting '\(unknown.name)': use \(allowed.sorted().joined(separator: ", "))")
        }
        var fault: SimulatorFault??
        if let name = request.query("fault") {
            if name == "none" {
                fault = .some(nil)
            } else if let parsed = SimulatorFault(rawValue: name) {
                fault = .some(parsed)
            } else {
                return SimulatorRouter.error(400, "unknown fault '\(name)': use none or one of \(SimulatorFault.allNames)")
            }
        }
        var count: Int?
        if let text = request.query("count") {
            guard let parsed = Int(text), parsed >= 0 else {
                return SimulatorRouter.error(400, "invalid count '\(text)': give a whole number, 0 for every request")
            }
            count = parsed
        }
        var latency: Int?
        if let text = request.query("latency_ms") {
            guard let parsed = Int(text), (0...600_000).contains(parsed) else {
                return SimulatorRouter.error(400, "invalid latency_ms '\(text)': give milliseconds from 0 to 600000")
            }
            latency = parsed
        }
        var shape: CTSShape?
        if let text = request.query("shape") {
            guard let parsed = CTSShape(rawValue: text) else {
                return SimulatorRouter.error(400, "invalid shape '\(text)': use documented or live")
            }
            shape = parsed
        }
        var bindingNone: Bool?
        if let text = request.query("binding_none") {
            guard let parsed = Bool(text) else {
                return SimulatorRouter.error(400, "invalid binding_none '\(text)': use true or false")
            }
            bindingNone = parsed
        }
        var throttle: Int?
        if let text = request.query("throttle_bytes_per_second") {
            guard let parsed = Int(text), (0...SimulatorConfig.maxThrottleBytesPerSecond).contains(parsed) else {
                return SimulatorRouter.error(400, "invalid throttle_bytes_per_second '\(text)': give bytes per second from 0 (no throttle) to \(SimulatorConfig.maxThrottleBytesPerSecond)")
            }
            throttle = parsed
        }
        var now: Date??
        if let text = request.query("now") {
            if text == "real" {
                now = .some(nil)
            } else if let parsed = SimulatorClockText.parse(text) {
                now = .some(parsed)
            } else {
                return SimulatorRouter.error(400, "invalid now '\(text)': give a UTC instant like 2026-12-03T17:00:00Z, or real")
            }
        }
        state.update { config in
            if let now { config.now = now }
            if let fault {
                config.fault = fault
                config.faultRemaining = fault == nil ? 0 : (count ?? 0)
            } else if let count {
                config.faultRemaining = count
            }
            if let latency { config.latencyMilliseconds = latency }
            if let shape { config.shape = shape }
            if let bindingNone { config.bindingNone = bindingNone }
            if let throttle { config.throttleBytesPerSecond = throttle }
        }
        return statsResponse()
    }

    private func statsResponse() -> LoopbackHTTPResponse {
        .json(Data(state.statsJSON().serialized.utf8))
    }

    private func methodNotAllowed(_ request: LoopbackHTTPRequest, allowed: String) -> LoopbackHTTPResponse {
        SimulatorRouter.error(405, "\(request.method) is not allowed on \(request.path): use \(allowed)", headers: [("Allow", allowed)])
    }
}
