import CollectionFramework
import Foundation

/// SPP day-ahead LMP by settlement location from the Integrated Marketplace file browser
/// (`shared/docs/iso-public-feeds.md` §3): one hourly CSV per market day, stored as one object.
///
/// - A market day is the Central prevailing-time day (America/Chicago), fetched as
///   `…/download/da-lmp-by-settlement-location?path=/{YYYY}/{MM}/By_Day/DA-LMP-SL-{YYYYMMDD}0100.csv`.
/// - Its rows are hour-ending, the first labelled 01:00: 24 per settlement location, 23 on the spring
///   day ([U]) and 25 on the autumn one (*unconfirmed*; those two counts are a warning rule).
/// - A snapshot asks for today and tomorrow (Central): tomorrow's prices appear once SPP's day-ahead
///   market has cleared (the hour is not in the reference), and asking for today as well catches a day
///   whose afternoon no run saw; a day already stored is skipped as a duplicate. A day after tomorrow
///   is refused: its market has not run.
/// - A file not posted (HTTP 404) is *not published*: listed in the summary, not a failure.
/// - Stored as `DA-LMP-SL-{YYYYMMDD}0100.csv.gz` under `sourcing/spp_da_lmp/` and the market day's
///   partition. Different content for a day already stored (a re-posted file: whether SPP re-posts is
///   not in the reference) replaces it at the key, the older state kept as history.
/// - SPP publishes no request limit, so there is no ``politeness``.
public struct SPPDayAheadLMPCollector: Collector {
    public static let typeName = "spp.da_lmp"
    public static let summary = "SPP day-ahead LMP by settlement location (one hourly CSV per market day)"
    public static let defaultEndpoint = "https://portal.spp.org/file-browser-api/download/da-lmp-by-settlement-location"
    public static let rules = SPPDayAheadRule.all

    /// Objects are filed under `sourcing/spp_da_lmp/...`.
    public let datasetGroup = "spp_da_lmp"
    public let endpoint: String
    private let configuration: CollectorConfiguration
    private let severities: RuleSeverities

    /// Checks `apiURL` (absolute http/https); throws ``CollectorError/invalidArgument(_:)`` naming it.
    public init(configuration: CollectorConfiguration) throws {
        endpoint = try configuration.endpoint(default: Self.defaultEndpoint)
        self.configuration = configuration
        severities = configuration.severities(for: Self.rules)
    }

    /// One candidate per market day; no network. Refuses any filter and any day after tomorrow.
    public func candidates(for request: CollectionRequest) throws -> [DownloadCandidate] {
        try request.requireOnlyFilters([], collector: Self.typeName)
        let today = CalendarDate(request.collectionTime, in: SPPDayAheadFile.timeZone)
        let latest = today.next
        let days = request.days ?? [today, latest]
        if let late = days.first(where: { $0 > latest }) {
            throw CollectorError.invalidArgument(
                "\(Self.typeName) has no file for \(late) yet: SPP's day-ahead market runs the day before, so the latest market day "
                + "it can have posted is \(latest) (tomorrow in America/Chicago); ask for days up to \(latest)")
        }
        return days.map { day in
            let file = SPPDayAheadFile(day: day)
            return DownloadCandidate(
                identifier: file.name, sourceURL: endpoint, queryParameters: [QueryParameter("path", file.path)],
                headers: ["Accept": "text/csv", "User-Agent": configuration.userAgent], timeout: configuration.requestTimeout,
                partitionDate: day,
                metadata: [
                    "data_type": .string("da_lmp_by_settlement_location"), "source": .string("spp"),
                    "market_day": .string(day.description), "market_hours": .int(file.hourEnds.count),
                    "time_zone": .string(SPPDayAheadFile.timeZone.identifier),
                    "collection_mode": .string(request.days == nil ? "snapshot" : "date"),
                    "collected_at": .string(UTCTimestamp.iso8601(request.collectionTime)),
                ],
                context: CandidateContext(requestedDate: day),
                changedContent: .replacePrevious)
        }
    }

    /// The day's file; a 404 is not published (tomorrow's file before the market clears, or a day SPP
    /// no longer keeps).
    public func collect(_ candidate: DownloadCandidate, using http: any HTTPClient) async throws -> ContentStream {
        guard let body = try await http.bodyUnless404(candidate) else {
            throw SourceNotPublished("\(candidate.identifier): HTTP 404 (SPP has not posted day-ahead prices for this market day)")
        }
        return ContentStream(body)
    }

    public func streamingValidator(for candidate: DownloadCandidate) -> (any StreamingValidator)? {
        let day = candidate.context.requestedDate ?? candidate.partitionDate
        return CSVStreamingValidator(schema: SPPDayAheadSchema.schema, checker: SPPDayAheadChecker(file: SPPDayAheadFile(day: day)),
                                     severities: severities)
    }

    /// Judges one whole payload; never traps, whatever the bytes (rules in ``SPPDayAheadRule``).
    public func validate(_ content: Data, for candidate: DownloadCandidate) -> ValidationResult {
        validateWithStreamingValidator(content, for: candidate)
    }
}
