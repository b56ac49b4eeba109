import LoopbackHTTP

/// One feed the simulator serves: its path, and how a request to it turns into a payload.
///
/// Adding a feed is one entry in ``FeedRoute/all`` (plus its payload type and, if it has any, its
/// own payload faults in ``SimulatorFault`` with their ``FaultTarget``). The router does the rest
/// the same way for every feed: request counting, 404/405, latency, transport and status faults,
/// serialisation, throttling.
struct FeedRoute: Sendable {
    /// The request path, matched case-insensitively.
    let path: String
    /// Reads the request's parameters and picks the variant it asks for, or answers an error
    /// (400) before any fault is used up.
    let prepare: @Sendable (FeedRequest) -> FeedPlan

    /// Every feed, in the order the 404 message lists them.
    static let all: [FeedRoute] = [.cts, .exAnte, .binding]

    /// The feed at `path` (case-insensitive), or nil.
    static func matching(_ path: String) -> FeedRoute? {
        let wanted = path.lowercased()
        return all.first { $0.path.lowercased() == wanted }
    }
}

/// What a feed's ``FeedRoute/prepare`` sees.
struct FeedRequest {
    let request: LoopbackHTTPRequest
    let config: SimulatorConfig
    let launch: SimulatorLaunch
}

/// How a feed answers one request.
enum FeedPlan {
    /// Serve a payload of this kind.
    case serve(FeedVariant)
    /// Answer this instead (a bad parameter).
    case reject(LoopbackHTTPResponse)
}

/// A payload kind and its generator.
struct FeedVariant {
    /// Which payload faults apply (besides the transport faults, which apply to every feed).
    let kind: FaultTarget
    /// Builds the payload, breaking it as the fault says; the fault passed is always of ``kind``.
    let payload: (SimulatorFault?) -> JSONText
    /// Optionally, the fault-free payload's serialisation in pieces as it is generated (the same
    /// bytes as `payload(nil).serialized`), for feeds whose bodies can be large.
    var streamed: (@Sendable (_ emit: (String) throws -> Void) throws -> Void)?

    init(kind: FaultTarget, payload: @escaping (SimulatorFault?) -> JSONText,
         streamed: (@Sendable (_ emit: (String) throws -> Void) throws -> Void)? = nil) {
        self.kind = kind
        self.payload = payload
        self.streamed = streamed
    }
}

extension FeedRoute {
    /// `/api/CoordinatedTransactionScheduling`: the documented shape (with `date`, `interval` and
    /// `node` filters) or the live shape (`--shape live` or `?shape=live`; other parameters ignored).
    static let cts = FeedRoute(path: "/api/CoordinatedTransactionScheduling") { input in
        let request = input.request, launch = input.launch
        var shape = input.config.shape
        if let requested = request.query("shape") {
            guard let parsed = CTSShape(rawValue: requested) else {
                return .reject(SimulatorRouter.error(400, "unknown shape '\(requested)': use documented or live"))
            }
            shape = parsed
        }
        if shape == .live {
            return .serve(FeedVariant(kind: .ctsLive) { fault in
                var payload = CTSLivePayload(day: launch.today, seed: launch.seed)
                if let fault { payload.apply(fault, day: launch.today) }
                return payload.json
            })
        }
        var day = launch.today
        if let text = request.query("date") {
            guard let parsed = OperatingDay(iso: text) else {
                return .reject(SimulatorRouter.error(400, "invalid date '\(text)': expected a calendar day as YYYY-MM-DD"))
            }
            day = parsed
        }
        var minutes: Int?
        if let text = request.query("interval") {
            guard let parsed = ClockText.gridMinutes(text) else {
                return .reject(SimulatorRouter.error(400, "invalid interval '\(text)': expected HH:MM on the 5-minute grid, e.g. 14:35"))
            }
            minutes = parsed
        }
        let node = request.query("node")
        return .serve(FeedVariant(kind: .ctsDocumented, payload: { [day, minutes] fault in
            var payload = CTSDocumentedPayload(day: day, today: launch.today, nodes: launch.nodes, seed: launch.seed,
                                               intervalMinutes: minutes, node: node)
            if let fault { payload.apply(fault, day: day) }
            return payload.json
        }, streamed: { [day, minutes] emit in
            try CTSDocumentedPayload.streamJSON(day: day, today: launch.today, nodes: launch.nodes, seed: launch.seed,
                                                intervalMinutes: minutes, node: node, emit: emit)
        }))
    }

    /// `/api/MarketPricing/GetExAnteLmp`: snapshot only.
    static let exAnte = FeedRoute(path: "/api/MarketPricing/GetExAnteLmp") { input in
        let launch = input.launch
        return .serve(FeedVariant(kind: .exAnte) { fault in
            var payload = ExAntePayload(day: launch.today, seed: launch.seed)
            if let fault { payload.apply(fault) }
            return payload.json
        })
    }

    /// `/api/BindingConstraints/RealTime`: snapshot only; `binding_none` gives the "nothing binding" form.
    static let binding = FeedRoute(path: "/api/BindingConstraints/RealTime") { input in
        let launch = input.launch, nothingBinding = input.config.bindingNone
        return .serve(FeedVariant(kind: .binding) { fault in
            var payload = BindingConstraintsPayload(day: launch.today, seed: launch.seed, nothingBinding: nothingBinding)
            if let fault { payload.apply(fault, day: launch.today) }
            return payload.json
        })
    }
}
