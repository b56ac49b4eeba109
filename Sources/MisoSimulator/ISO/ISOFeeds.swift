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
        let now = state.currentConfig.now ?? Date()
        let path = request.path
        if path == CAISOFeed.path {
            if !state.admitCAISORequest(at: Date(), minimumInterval: launch.caisoMinimumInterval) { return caiso429 }
            return serve(request, state: state, targets: [.caiso, .isoZip, .iso]) { fault in
                if fault == .caiso429 { return .early(caiso429) }
                let (body, name) = CAISOFeed(seed: launch.seed, now: now, nodeCount: launch.caisoNodes)
                    .answer(request, breakage: breakage(fault), fault: fault)
                return .body(body, [("Content-Type", "application/x-zip-compressed"), ("Content-Disposition", "inline; filename=\(name);")])
            }
        }
        if path == SPPFeed.path {
            return serve(request, state: state, targets: [.spp, .iso]) { fault in
                csv(SPPFeed(seed: launch.seed, now: now, locationCount: launch.sppLocations).body(path: request.query("path"), fault: fault))
            }
        }
        if path == SPPDayAheadFeed.path {
            return serve(request, state: state, targets: [.sppDayAhead, .iso]) { fault in
                csv(SPPDayAheadFeed(seed: launch.seed, now: now, locationCount: launch.sppLocations).body(path: request.query("path"), fault: fault))
            }
        }
        guard let file = NYISOFeed.parse(path) else { return notFound(request) }
        let isZip: Bool
        if case .monthly = file { isZip = true } else { isZip = false }
        return serve(request, state: state, targets: isZip ? [.nyisoZip, .isoZip, .iso] : [.nyisoCSV, .iso]) { fault in
            guard let (body, type) = NYISOFeed(seed: launch.seed, now: now).body(file, fault: fault) else { return .notFound }
            return .body(body, [("Content-Type", type)])
        }
    }

    /// What a feed makes of one request, once its fault (if any) is known.
    private enum Answer {
        case body(Data, [(name: String, value: String)])
        case notFound
        case early(LoopbackHTTPResponse)
    }

    private static func csv(_ body: Data?) -> Answer {
        body.map { .body($0, [("Content-Type", "text/csv")]) } ?? .notFound
    }

    /// The steps every ISO feed shares: take the fault meant for one of `targets`, answer the status
    /// faults and the XML error page first, else the feed's body through the transport faults.
    private static func serve(_ request: LoopbackHTTPRequest, state: SimulatorState, targets: [FaultTarget],
                              make: (SimulatorFault?) -> Answer) -> LoopbackHTTPResponse {
        let fault = state.takeFault(forAny: targets)
        if let early = SimulatorRouter.statusFault(fault) { return early }
        if fault == .xmlError200 { return xmlError }
        switch make(fault) {
        case .body(let body, let headers): return SimulatorRouter.shaped(body, headers: headers, fault: fault)
        case .notFound: return notFound(request)
        case .early(let response): return response
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
