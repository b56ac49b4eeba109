import Foundation
import LoopbackHTTP

/// Routes the three ISO feeds (NYISO under `/public/csv/`, CAISO `SingleZip`, SPP's file browser:
/// real-time interval files and day-ahead daily files),
/// with their faults and CAISO's 5-second referee. The MISO feeds keep their own router.
enum ISOFeeds {
    static func handles(_ path: String) -> Bool {
        path.hasPrefix("/public/csv/") || path == CAISOFeed.path || path == SPPFeed.path || path == SPPDayAheadFeed.path
    }

    /// How a ZIP answer is broken, if the fault says so.
    static func breakage(_ fault: SimulatorFault?) -> ZipWriter.Breakage {
        switch fault {
        case .zipTruncated: return .truncated
        case .zipBadCentralDirectory: return .badCentralDirectory
        default: return .none
        }
    }

    static func response(_ request: LoopbackHTTPRequest, launch: SimulatorLaunch, state: SimulatorState) -> LoopbackHTTPResponse {
        let config = state.currentConfig
        let now = config.now ?? Date()
        let path = request.path
        if path == CAISOFeed.path {
            if !state.admitCAISORequest(at: Date(), minimumInterval: launch.caisoMinimumInterval) { return caiso429 }
            let fault = state.takeFault(forAny: [.caiso, .isoZip, .iso])
            if let early = SimulatorRouter.statusFault(fault) { return early }
            if fault == .caiso429 { return caiso429 }
            if fault == .xmlError200 { return xmlError }
            let feed = CAISOFeed(seed: launch.seed, now: now, nodeCount: launch.caisoNodes)
            let (body, name) = feed.answer(request, breakage: breakage(fault), fault: fault)
            return shaped(body, contentType: "application/x-zip-compressed", fault: fault,
                          extra: [("Content-Disposition", "inline; filename=\(name);")])
        }
        if path == SPPFeed.path {
            let fault = state.takeFault(forAny: [.spp, .iso])
            if let early = SimulatorRouter.statusFault(fault) { return early }
            if fault == .xmlError200 { return xmlError }
            let feed = SPPFeed(seed: launch.seed, now: now, locationCount: launch.sppLocations)
            guard let body = feed.body(path: request.query("path"), fault: fault) else { return notFound(request) }
            return shaped(body, contentType: "text/csv", fault: fault)
        }
        if path == SPPDayAheadFeed.path {
            let fault = state.takeFault(forAny: [.sppDayAhead, .iso])
            if let early = SimulatorRouter.statusFault(fault) { return early }
            if fault == .xmlError200 { return xmlError }
            let feed = SPPDayAheadFeed(seed: launch.seed, now: now, locationCount: launch.sppLocations)
            guard let body = feed.body(path: request.query("path"), fault: fault) else { return notFound(request) }
            return shaped(body, contentType: "text/csv", fault: fault)
        }
        guard let file = NYISOFeed.parse(path) else { return notFound(request) }
        let isZip: Bool
        if case .monthly = file { isZip = true } else { isZip = false }
        let fault = state.takeFault(forAny: isZip ? [.nyisoZip, .isoZip, .iso] : [.nyisoCSV, .iso])
        if let early = SimulatorRouter.statusFault(fault) { return early }
        if fault == .xmlError200 { return xmlError }
        guard let (body, type) = NYISOFeed(seed: launch.seed, now: now).body(file, fault: fault) else { return notFound(request) }
        return shaped(body, contentType: type, fault: fault)
    }

    /// The transport faults that change a body (slow, truncated, html); others leave it be.
    private static func shaped(_ body: Data, contentType: String, fault: SimulatorFault?,
                               extra: [(name: String, value: String)] = []) -> LoopbackHTTPResponse {
        let headers = [("Content-Type", contentType)] + extra
        switch fault {
        case .slow: return .paced(headers: headers, body: body, chunkCount: 11, delay: 0.5)
        case .truncated: return .truncated(headers: headers, body: body.prefix(body.count / 2), declaredLength: body.count)
        case .html: return .text(SimulatorRouter.htmlErrorPage, contentType: "text/html; charset=utf-8")
        default: return LoopbackHTTPResponse(status: 200, headers: headers, data: body)
        }
    }

    /// A plain 404: the ISOs send no error envelope for a file that is not there.
    private static func notFound(_ request: LoopbackHTTPRequest) -> LoopbackHTTPResponse {
        .text("404 Not Found: \(request.path)\(request.query("path").map { "?path=\($0)" } ?? "")\n", status: 404)
    }

    /// CAISO's answer to a request that came too soon (no Retry-After header: the wait is in the words).
    static let caiso429 = LoopbackHTTPResponse.text("""
        <html><head><title>429 Too Many Requests</title></head><body>
        <p>CAISO Acceptable Use Policy Violation. Please retry your request after 5 seconds.</p>
        </body></html>

        """, status: 429, contentType: "text/html")

    /// A 200 whose body is an error (seen from ERCOT's feeds).
    static let xmlError = LoopbackHTTPResponse.text("<root>Error Downloading Content - NO Results</root>", contentType: "text/xml")
}
