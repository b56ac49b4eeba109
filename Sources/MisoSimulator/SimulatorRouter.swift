import Foundation
import LoopbackHTTP

/// Fixed settings of one simulator run (from the command line).
struct SimulatorLaunch {
    var nodes: Int
    var seed: UInt64
    var today: OperatingDay
    var logRequests: Bool
}

/// Answers every request: the three MISO feeds, their faults, and the `/_sim/*` control endpoints.
final class SimulatorRouter: @unchecked Sendable {
    static let ctsPath = "/api/CoordinatedTransactionScheduling"
    static let exAntePath = "/api/MarketPricing/GetExAnteLmp"
    static let bindingPath = "/api/BindingConstraints/RealTime"

    let launch: SimulatorLaunch
    let state: SimulatorState

    init(launch: SimulatorLaunch, state: SimulatorState) {
        self.launch = launch
        self.state = state
    }

    func handle(_ request: LoopbackHTTPRequest) -> LoopbackHTTPResponse {
        let response = route(request)
        if launch.logRequests {
            let query = request.queryItems.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
            FileHandle.standardError.write(Data("miso-sim: \(request.method) \(request.path)\(query.isEmpty ? "" : "?" + query) -> \(response.status)\n".utf8))
        }
        return response
    }

    private func route(_ request: LoopbackHTTPRequest) -> LoopbackHTTPResponse {
        if request.path.hasPrefix("/_sim/") {
            return SimulatorControl(state: state).handle(request)
        }
        state.recordRequest(path: request.path)
        let path = request.path.lowercased()
        let known = [Self.ctsPath, Self.exAntePath, Self.bindingPath]
        guard known.contains(where: { $0.lowercased() == path }) else {
            return Self.error(404, "no such endpoint \(request.path): the simulator serves \(known.joined(separator: ", ")) and /_sim/{stats,config,reset}")
        }
        guard request.method == "GET" || request.method == "HEAD" else {
            return Self.error(405, "\(request.method) is not allowed on \(request.path): use GET", headers: [("Allow", "GET, HEAD")])
        }
        let config = state.currentConfig
        if config.latencyMilliseconds > 0 { usleep(useconds_t(min(config.latencyMilliseconds, 600_000)) * 1000) }

        switch path {
        case Self.ctsPath.lowercased(): return cts(request, config: config)
        case Self.exAntePath.lowercased():
            let fault = state.takeFault(for: .exAnte)
            if let early = Self.statusFault(fault) { return early }
            var payload = ExAntePayload(day: launch.today, seed: launch.seed)
            if let fault, fault.target == .exAnte { payload.apply(fault) }
            return shaped(payload.json, fault: fault)
        default:
            let fault = state.takeFault(for: .binding)
            if let early = Self.statusFault(fault) { return early }
            var payload = BindingConstraintsPayload(day: launch.today, seed: launch.seed, nothingBinding: config.bindingNone)
            if let fault, fault.target == .binding { payload.apply(fault, day: launch.today) }
            return shaped(payload.json, fault: fault)
        }
    }

    private func cts(_ request: LoopbackHTTPRequest, config: SimulatorConfig) -> LoopbackHTTPResponse {
        var shape = config.shape
        if let requested = request.query("shape") {
            guard let parsed = CTSShape(rawValue: requested) else {
                return Self.error(400, "unknown shape '\(requested)': use documented or live")
            }
            shape = parsed
        }
        if shape == .live {
            let fault = state.takeFault(for: .ctsLive)
            if let early = Self.statusFault(fault) { return early }
            var payload = CTSLivePayload(day: launch.today, seed: launch.seed)
            if let fault, fault.target == .ctsLive { payload.apply(fault, day: launch.today) }
            return shaped(payload.json, fault: fault)
        }

        var day = launch.today
        if let text = request.query("date") {
            guard let parsed = OperatingDay(iso: text) else {
                return Self.error(400, "invalid date '\(text)': expected a calendar day as YYYY-MM-DD")
            }
            day = parsed
        }
        var minutes: Int?
        if let text = request.query("interval") {
            guard let parsed = ClockText.gridMinutes(text) else {
                return Self.error(400, "invalid interval '\(text)': expected HH:MM on the 5-minute grid, e.g. 14:35")
            }
            minutes = parsed
        }
        let fault = state.takeFault(for: .ctsDocumented)
        if let early = Self.statusFault(fault) { return early }
        var payload = CTSDocumentedPayload(day: day, today: launch.today, nodes: launch.nodes, seed: launch.seed,
                                           intervalMinutes: minutes, node: request.query("node"))
        if let fault, fault.target == .ctsDocumented { payload.apply(fault, day: day) }
        return shaped(payload.json, fault: fault)
    }

    /// The response for a fault that replaces the whole answer with an error status, else nil.
    static func statusFault(_ fault: SimulatorFault?) -> LoopbackHTTPResponse? {
        switch fault {
        case .http500: return error(500, "simulated internal server error (fault http-500)")
        case .http503: return error(503, "simulated service unavailable (fault http-503)")
        case .http404: return error(404, "simulated not found (fault http-404)")
        case .http429: return error(429, "simulated rate limit (fault http-429): retry after 1 second", headers: [("Retry-After", "1")])
        case .http429Date:
            return error(429, "simulated rate limit (fault http-429-date): retry after the date given",
                         headers: [("Retry-After", httpDate(Date().addingTimeInterval(2)))])
        default: return nil
        }
    }

    /// Serialises `json` and applies a transport fault (slow, truncated, html, huge) if one is active.
    private func shaped(_ json: JSONText, fault: SimulatorFault?) -> LoopbackHTTPResponse {
        let body = Data(json.serialized.utf8)
        let jsonType: [(name: String, value: String)] = [("Content-Type", "application/json; charset=utf-8")]
        switch fault {
        case .slow:
            return .paced(headers: jsonType, body: body, chunkCount: 11, delay: 0.5)
        case .truncated:
            return .truncated(headers: jsonType, body: body.prefix(body.count / 2), declaredLength: body.count)
        case .html:
            return .text(Self.htmlErrorPage, contentType: "text/html; charset=utf-8")
        case .huge:
            return HugePayload.response(today: launch.today, nodes: launch.nodes, seed: launch.seed)
        default:
            return LoopbackHTTPResponse(status: 200, headers: jsonType, data: body)
        }
    }

    /// `date` as an RFC 9110 IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
    static func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }

    static let htmlErrorPage = """
        <!DOCTYPE html>
        <html><head><title>Service Unavailable</title></head>
        <body><h1>Temporarily unavailable</h1><p>The MISO public API is undergoing maintenance. Please try again later.</p></body></html>

        """

    static func error(_ status: Int, _ message: String, headers: [(name: String, value: String)] = []) -> LoopbackHTTPResponse {
        let body = JSONText.object([("error", .string(message)), ("status", .number(String(status)))]).serialized
        return .json(Data(body.utf8), status: status, headers: headers)
    }
}
