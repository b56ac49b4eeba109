import CollectionFramework
import Foundation

/// CAISO OASIS locational marginal prices (`SingleZip`, `resultformat=6`: a ZIP of CSV), for one
/// market: `DAM` (hourly), `RTPD` (15-minute) or `RTM` (5-minute). Facts in
/// `shared/docs/iso-public-feeds.md` §2.
///
/// - One candidate per trading day (Pacific prevailing time), whose UTC window starts at 07:00Z or
///   08:00Z as daylight saving says; all-node real-time requests go hour by hour (error 1018 refuses
///   more), one object per hour.
/// - Stored as `caiso_lmp_{MARKET}_{YYYYMMDD}.csv.gz` (`…_ALL_{YYYYMMDD}_h{NN}.csv.gz` for an
///   all-node real-time hour) under `sourcing/caiso_lmp/` and the trading day's partition:
///   the CSV members of the ZIP joined under one header, not the ZIP.
/// - An `INVALID_REQUEST.xml` answer (HTTP 200) with code 1000 "no data" is *not published* (nothing
///   stored, not retried); any other code fails the candidate with the code and what to change.
/// - One request per 5 seconds for every CAISO collector of the process (``politeness``), and a 429
///   page's "retry after 5 seconds" is honoured.
public struct CAISOLMPCollector: Collector {
    public static let typeName = "caiso.lmp"
    public static let summary = "CAISO OASIS LMP, market DAM, RTPD or RTM (ZIP of CSV; XML errors inside the ZIP)"
    public static let defaultEndpoint = "https://oasis.caiso.com/oasisapi/SingleZip"
    /// The trading hubs gridstatus reads by default.
    public static let defaultNodes = ["TH_NP15_GEN-APND", "TH_SP15_GEN-APND", "TH_ZP26_GEN-APND"]
    public static let parameters: [CollectorParameter] = [
        CollectorParameter("market", .choice(CAISOMarket.allCases.map(\.rawValue)), help: "DAM (hourly), RTPD (15-minute) or RTM (5-minute)", example: "DAM"),
        CollectorParameter("nodes", .string(maxLength: 400),
                           help: "Comma-separated node names (at most 10), or ALL for every node; default: the three trading hubs",
                           example: "TH_NP15_GEN-APND,TH_SP15_GEN-APND", check: CAISOLMPCollector.nodesProblem),
    ]
    public static let rules = CAISORule.all
    /// OASIS allows one request per 5 seconds (pyiso issue #43, citing CAISO's release notes).
    public static let politeness: SourcePoliteness? = SourcePoliteness(group: "caiso-oasis", minimumInterval: 5)

    /// Objects are filed under `sourcing/caiso_lmp/...`, the market in each identifier.
    public let datasetGroup = "caiso_lmp"
    public let endpoint: String
    private let configuration: CollectorConfiguration
    private let severities: RuleSeverities

    public init(configuration: CollectorConfiguration) throws {
        endpoint = try configuration.endpoint(default: Self.defaultEndpoint)
        self.configuration = configuration
        severities = configuration.severities(for: Self.rules)
    }

    static func nodeList(_ text: String?) -> [String]? {
        guard let text else { return defaultNodes }
        if text.uppercased() == "ALL" { return nil }
        return text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    static let nodesProblem: @Sendable (String) -> String? = { text in
        guard let nodes = nodeList(text) else { return nil }
        if nodes.isEmpty { return "name at least one node, or ALL" }
        if nodes.count > 10 { return "OASIS takes at most 10 nodes per request (error 1017); name 10 or fewer, or use ALL" }
        if let bad = nodes.first(where: { !$0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_-.".contains($0)) } }) {
            return "node \(bad.debugDescription) may use only letters, digits, '_', '-' and '.'"
        }
        return nil
    }

    public func candidates(for request: CollectionRequest) throws -> [DownloadCandidate] {
        try request.requireOnlyFilters(["market", "nodes"], collector: Self.typeName)
        // Parameters from collectors.yaml and --param arrive merged into the filters.
        let market = CAISOMarket(rawValue: request.filters["market"] ?? "DAM") ?? .dayAhead
        let nodes = Self.nodeList(request.filters["nodes"])
        let today = CalendarDate(request.collectionTime, in: CAISOMarket.timeZone)
        let days = request.days ?? [market == .dayAhead ? today.next : today]
        return days.flatMap { day -> [DownloadCandidate] in
            let tradingDay = MarketDay(day, timeZone: CAISOMarket.timeZone)
            guard nodes == nil, market != .dayAhead else {
                return [candidate(day, market, nodes, CAISOWindow(start: tradingDay.start, end: tradingDay.end), hour: nil, at: request.collectionTime)]
            }
            return tradingDay.intervalStarts(minutes: 60).enumerated().map { hour, start in
                candidate(day, market, nodes, CAISOWindow(start: start, end: start.addingTimeInterval(3600)), hour: hour + 1, at: request.collectionTime)
            }
        }
    }

    private func candidate(_ day: CalendarDate, _ market: CAISOMarket, _ nodes: [String]?, _ window: CAISOWindow, hour: Int?,
                           at collectionTime: Date) -> DownloadCandidate {
        var query = [
            QueryParameter("resultformat", "6"), QueryParameter("queryname", market.queryName), QueryParameter("version", market.version),
            QueryParameter("market_run_id", market.rawValue),
            QueryParameter("startdatetime", CAISOWindow.queryText(window.start)), QueryParameter("enddatetime", CAISOWindow.queryText(window.end)),
        ]
        query.append(nodes.map { QueryParameter("node", $0.joined(separator: ",")) } ?? QueryParameter("grp_type", "ALL"))
        let identifier = "caiso_lmp_\(market.rawValue)_" + (nodes == nil ? "ALL_" : "") + day.compact
            + (hour.map { String(format: "_h%02d", $0) } ?? "") + ".csv"
        let metadata: JSONObject = [
            "data_type": .string("lmp"), "source": .string("caiso"), "market": .string(market.rawValue),
            "trading_day": .string(day.description), "time_zone": .string(CAISOMarket.timeZone.identifier),
            "window_start": .string(UTCTimestamp.iso8601(window.start)), "window_end": .string(UTCTimestamp.iso8601(window.end)),
            "nodes": .string(nodes?.joined(separator: ",") ?? "ALL"), "collected_at": .string(UTCTimestamp.iso8601(collectionTime)),
        ]
        return DownloadCandidate(
            identifier: identifier, sourceURL: endpoint, queryParameters: query,
            headers: ["Accept": "application/zip", "User-Agent": configuration.userAgent],
            timeout: configuration.requestTimeout, partitionDate: day, metadata: metadata,
            context: CandidateContext(requestedDate: day, filters: [
                "window_start": String(window.start.timeIntervalSince1970), "window_end": String(window.end.timeIntervalSince1970),
                "window_finished": window.end <= collectionTime ? "true" : "false",
                "market": market.rawValue, "nodes": nodes?.joined(separator: ",") ?? "ALL",
            ]),
            // OASIS revises a trading day's prices: the newest answer is kept at the key.
            changedContent: .replacePrevious)
    }

    /// The ZIP's CSV members joined; an `INVALID_REQUEST.xml` becomes not-published (1000) or a refusal.
    public func collect(_ candidate: DownloadCandidate, using http: any HTTPClient) async throws -> ContentStream {
        let body = try await http.fetchStream(candidate).body.collect(limit: 1 << 30)
        let archive = try ZipArchive(body)
        if let report = archive.members.first(where: { $0.name.lowercased().hasSuffix(".xml") }) {
            let xml = String(decoding: try archive.contents(of: report), as: UTF8.self)
            guard let error = CAISOErrorReport.parse(xml) else { throw CAISOError.unexpectedArchive(members: archive.members.map(\.name)) }
            if error.code == 1000 { throw SourceNotPublished("\(candidate.identifier): CAISO OASIS code 1000 (\(error.text))") }
            throw CAISOError.refused(code: error.code, text: error.text)
        }
        let csv = archive.members.filter { $0.name.lowercased().hasSuffix(".csv") }
        guard !csv.isEmpty else { throw CAISOError.unexpectedArchive(members: archive.members.map(\.name)) }
        return ContentStream(ConcatenatedCSVMembers(archive: archive, members: csv))
    }

    public func streamingValidator(for candidate: DownloadCandidate) -> (any StreamingValidator)? {
        let filters = candidate.context.filters
        let window = CAISOWindow(start: Date(timeIntervalSince1970: filters["window_start"].flatMap(Double.init) ?? 0),
                                 end: Date(timeIntervalSince1970: filters["window_end"].flatMap(Double.init) ?? 0))
        let market = CAISOMarket(rawValue: filters["market"] ?? "DAM") ?? .dayAhead
        let checker = CAISOLMPChecker(market: market, window: window, tradeDate: candidate.context.requestedDate ?? candidate.partitionDate,
                                      nodes: Self.nodeList(filters["nodes"]).map(Set.init), windowFinished: filters["window_finished"] == "true")
        return CSVStreamingValidator(schema: CAISOLMPSchema.schema(market), checker: checker, severities: severities)
    }

    public func validate(_ content: Data, for candidate: DownloadCandidate) -> ValidationResult {
        validateWithStreamingValidator(content, for: candidate)
    }
}
