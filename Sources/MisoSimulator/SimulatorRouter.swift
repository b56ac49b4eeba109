import Foundation
import LoopbackHTTP

/// Fixed settings of one simulator run (from the command line).
struct SimulatorLaunch {
    var nodes: Int
    var seed: UInt64
    var today: OperatingDay
    var logRequests: Bool
    /// `grp_type=ALL` node count of the CAISO feed.
    var caisoNodes = 20
    /// CAISO's referee: the least seconds between two SingleZip requests (0 = off).
    var caisoMinimumInterval = 5.0
    /// Settlement locations per SPP interval file (and per hour of an SPP day-ahead file).
    var sppLocations = 30
}

/// Answers every request: the feeds of ``FeedRoute/all``, their faults, and the `/_sim/*` control endpoints.
final class SimulatorRouter: Sendable {
    let launch: SimulatorLaunch
    let state: SimulatorState

    init(launch: SimulatorLaunch, state: SimulatorState) {
        self.launch = launch
        self.state = state
    }

    func handle(_ request: LoopbackHTTPRequest) async -> LoopbackHTTPResponse {
        let response = await route(request)
        if launch.logRequests {
            let query = request.queryItems.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
            FileHandle.standardError.write(Data("miso-sim: \(request.method) \(request.path)\(query.isEmpty ? "" : "?" + query) -> \(response.status)\n".utf8))
        }
        return response
    }

    private func route(_ request: LoopbackHTTPRequest) async -> LoopbackHTTPResponse {
        if request.path.hasPrefix("/_sim/") {
            return SimulatorControl(state: state).handle(request)
        }
        let response = await feedResponse(request)
        let rate = state.currentConfig.throttleBytesPerSecond
        return rate > 0 ? response.throttled(LoopbackHTTPThrottle(bytesPerSecond: rate)) : response
    }

    /// Every data path's answer (before any throttle).
    private func feedResponse(_ request: LoopbackHTTPRequest) async -> LoopbackHTTPResponse {
        state.recordRequest(path: request.path)
        if ISOFeeds.handles(request.path) {
            guard request.method == "GET" || request.method == "HEAD" else {
                return Self.error(405, "\(request.method) is not allowed on \(request.path): use GET", headers: [("Allow", "GET, HEAD")])
            }
            let latency = state.currentConfig.latencyMilliseconds
            if latency > 0 { try? await Task.sleep(for: .milliseconds(min(latency, 600_000))) }
            return ISOFeeds.response(request, launch: launch, state: state)
        }
        guard let feed = FeedRoute.matching(request.path) else {
            let known = FeedRoute.all.map(\.path)
            return Self.error(404, "no such endpoint \(request.path): the simulator serves \(known.joined(separator: ", ")), "
                              + "/public/csv/{realtime,damlbmp}/…, \(CAISOFeed.path), \(SPPFeed.path)?path=…, \(SPPDayAheadFeed.path)?path=… and /_sim/{stats,config,reset}")
        }
        guard request.method == "GET" || request.method == "HEAD" else {
            return Self.error(405, "\(request.method) is not allowed on \(request.path): use GET", headers: [("Allow", "GET, HEAD")])
        }
        let config = state.currentConfig
        if config.latencyMilliseconds > 0 {
            try? await Task.sleep(for: .milliseconds(min(config.latencyMilliseconds, 600_000)))
        }
        switch feed.prepare(FeedRequest(request: request, config: config, launch: launch)) {
        case .reject(let response):
            return response
        case .serve(let variant):
            let fault = state.takeFault(for: variant.kind)
            if let early = Self.statusFault(fault) { return early }
            if fault == nil, config.throttleBytesPerSecond > 0, let streamed = variant.streamed {
                // A throttled download (the benchmark's ~25 MB CTS body): send the records as they
                // are made, so the first bytes leave at once. The length is not known up front, so
                // the body is chunked; its bytes are those of the unthrottled answer.
                return LoopbackHTTPResponse(status: 200, headers: Self.jsonType, body: .stream(declaredLength: nil) { writer in
                    try streamed { piece in try writer.write(Data(piece.utf8)) }
                })
            }
            let payloadFault = fault.flatMap { $0.target == variant.kind ? $0 : nil }
            return shaped(variant.payload(payloadFault), fault: fault)
        }
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
        if fault == .huge { return HugePayload.response(today: launch.today, nodes: launch.nodes, seed: launch.seed) }
        return Self.shaped(Data(json.serialized.utf8), headers: Self.jsonType, fault: fault)
    }

    /// `body` with `headers`, changed by the transport fault that alters a body (slow, truncated, html)
    /// if one is active: the same for every feed, JSON or not.
    static func shaped(_ body: Data, headers: [(name: String, value: String)], fault: SimulatorFault?) -> LoopbackHTTPResponse {
        switch fault {
        case .slow:
            return .paced(headers: headers, body: body, chunkCount: 11, delay: 0.5)
        case .truncated:
            return .truncated(headers: headers, body: body.prefix(body.count / 2), declaredLength: body.count)
        case .html:
            return .text(htmlErrorPage, contentType: "text/html; charset=utf-8")
        default:
            return LoopbackHTTPResponse(status: 200, headers: headers, data: body)
        }
    }

    static let jsonType: [(name: String, value: String)] = [("Content-Type", "application/json; charset=utf-8")]

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
