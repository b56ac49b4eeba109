import CollectionFramework
import Foundation

/// What the two NYISO zonal LBMP collectors share: which file holds a market day, how to fetch it
/// (daily CSV, or the member of the monthly ZIP), and how to judge it.
///
/// - A day within the last `daily_file_days` (default 7: gridstatus reads daily files for the last
///   week; NYISO keeps about 10) is fetched as its daily CSV. If that answers 404 for a past day,
///   the monthly ZIP is tried next.
/// - An older day is read from the monthly ZIP `{YYYYMM01}{report}_zone_csv.zip`, downloaded once
///   per run however many of its days are asked for.
/// - Either way one object per market day is stored, `{YYYYMMDD}{report}_zone.csv.gz`, under the
///   market day's partition (Eastern prevailing time), and its bytes are the CSV's as NYISO wrote them.
/// - Today's real-time file grows through the day: each run stores its state beside the earlier
///   ones (the hash registry keeps each distinct state once).
struct NYISOZonalFeed: Sendable {
    static let defaultBase = "http://mis.nyiso.com/public/csv"
    static let parameters: [CollectorParameter] = [
        CollectorParameter("daily_file_days", .integer(1...10),
                           help: "Days back (today is 1) read from the daily CSV files; older days come from the monthly ZIP",
                           example: "7"),
    ]

    let typeName: String
    let market: NYISOZonalMarket
    let base: String
    let configuration: CollectorConfiguration
    let severities: RuleSeverities
    private let archives = ArchiveCache()

    init(typeName: String, market: NYISOZonalMarket, configuration: CollectorConfiguration) throws {
        self.typeName = typeName
        self.market = market
        self.configuration = configuration
        var base = try configuration.endpoint(default: Self.defaultBase)
        while base.hasSuffix("/") { base.removeLast() }
        self.base = base
        severities = configuration.severities(for: NYISORule.all)
    }

    func candidates(for request: CollectionRequest) throws -> [DownloadCandidate] {
        try request.requireOnlyFilters(["daily_file_days"], collector: typeName)
        let dailyDays = request.filters["daily_file_days"].flatMap(Int.init) ?? 7
        let today = CalendarDate(request.collectionTime, in: NYISOZonalMarket.timeZone)
        let latest = market == .dayAhead ? today.next : today
        let days = request.days ?? [latest]
        if let late = days.first(where: { $0 > latest }) {
            throw CollectorError.invalidArgument(
                "\(typeName) has no file for \(late) yet: the latest market day NYISO can have posted is \(latest) (\(market == .dayAhead ? "tomorrow" : "today") in America/New_York)")
        }
        return days.map { day in
            let age = MarketDay(day, timeZone: NYISOZonalMarket.timeZone).days(until: today)
            return candidate(day, fromArchive: age >= dailyDays, partial: market == .realTime && day == today,
                             collectedAt: request.collectionTime)
        }
    }

    private func candidate(_ day: CalendarDate, fromArchive: Bool, partial: Bool, collectedAt: Date) -> DownloadCandidate {
        let member = market.dailyFileName(day)
        let archiveURL = "\(base)/\(market.folder)/\(market.monthlyArchiveName(day))"
        let url = fromArchive ? archiveURL : "\(base)/\(market.folder)/\(member)"
        let metadata: JSONObject = [
            "data_type": .string("\(market.folder)_zone"), "source": .string("nyiso"),
            "market_day": .string(day.description), "time_zone": .string(NYISOZonalMarket.timeZone.identifier),
            "file_source": .string(fromArchive ? "monthly_zip" : "daily_csv"), "complete": .bool(!partial),
            "collected_at": .string(UTCTimestamp.iso8601(collectedAt)),
        ]
        return DownloadCandidate(
            identifier: member, sourceURL: url, headers: ["Accept": "text/csv, application/zip", "User-Agent": configuration.userAgent],
            timeout: configuration.requestTimeout, partitionDate: day, metadata: metadata,
            context: CandidateContext(requestedDate: day, filters: [
                "member": member, "archive": archiveURL, "from_archive": fromArchive ? "true" : "false", "partial": partial ? "true" : "false",
            ]))
    }

    /// The day's CSV: the daily file, or its member of the monthly ZIP (streamed as it inflates).
    func collect(_ candidate: DownloadCandidate, using http: any HTTPClient) async throws -> ContentStream {
        let context = candidate.context.filters
        let member = context["member"] ?? candidate.identifier
        if context["from_archive"] != "true" {
            if let body = try await http.bodyUnless404(candidate) { return ContentStream(body) }
            guard context["partial"] != "true", let archive = context["archive"] else {
                throw SourceNotPublished("\(member): HTTP 404 from \(candidate.url) (NYISO has not posted the file yet)")
            }
            return try await fromArchive(archive, member: member, candidate: candidate, http: http)
        }
        return try await fromArchive(context["archive"] ?? candidate.sourceURL, member: member, candidate: candidate, http: http)
    }

    private func fromArchive(_ url: String, member name: String, candidate: DownloadCandidate, http: any HTTPClient) async throws -> ContentStream {
        var request = candidate
        request.sourceURL = url
        request.queryParameters = []
        let fetched = try await archives.data(for: url) { [request] in
            guard let body = try await http.bodyUnless404(request) else { throw SourceNotPublished("\(name): HTTP 404 from \(url) (NYISO has no archive for that month)") }
            return body
        }
        let archive = try ZipArchive(fetched)
        guard let member = archive.members.first(where: { $0.name == name }) else {
            if archive.isTruncated { throw ZipError.truncated(member: name) }
            throw SourceNotPublished("\(name) is not in \(url) (the archive holds \(archive.members.count) day(s))")
        }
        return ContentStream(archive.chunks(of: member), expectedLength: member.uncompressedSize)
    }

    func streamingValidator(for candidate: DownloadCandidate) -> (any StreamingValidator)? {
        let day = candidate.context.requestedDate ?? candidate.partitionDate
        let checker = NYISOZonalChecker(market: market, day: day, partial: candidate.context.filters["partial"] == "true")
        return CSVStreamingValidator(schema: NYISOZonalSchema.schema, checker: checker, severities: severities)
    }
}
