import CollectionFramework
import Foundation

/// SPP real-time (RTBM) LMP by settlement location from the Integrated Marketplace file browser:
/// one CSV per 5-minute interval, each stored as its own object.
///
/// - A day is every interval that starts in the Central market day: 288 files (276 and 300 on the
///   DST days), fetched as `…/download/rtbm-lmp-by-location?path=/{YYYY}/{MM}/By_Interval/{DD}/RTBM-LMP-SL-{end}.csv`
///   with the folder of the interval's start date and `d` before `.csv` in the fall-back hour's second pass.
/// - A snapshot is the latest `snapshot_intervals` files (default 12, the last hour), so a run every
///   15 minutes misses none; those already stored are skipped as duplicates.
/// - A missing interval file (HTTP 404) is *not published*: listed in the summary, not a failure of the day.
/// - Stored as `RTBM-LMP-SL-{end}[d].csv.gz` under `sourcing/spp_rt_lmp/` and the start date's partition.
public struct SPPRealTimeLMPCollector: Collector {
    public static let typeName = "spp.rt_lmp"
    public static let summary = "SPP real-time LMP by settlement location (one CSV per 5-minute interval)"
    public static let defaultEndpoint = "https://portal.spp.org/file-browser-api/download/rtbm-lmp-by-location"
    public static let parameters: [CollectorParameter] = [
        CollectorParameter("snapshot_intervals", .integer(1...288), help: "How many of the latest interval files a snapshot run asks for", example: "12"),
    ]
    public static let rules = SPPRule.all

    /// Objects are filed under `sourcing/spp_rt_lmp/...`.
    public let datasetGroup = "spp_rt_lmp"
    public let endpoint: String
    private let configuration: CollectorConfiguration
    private let severities: RuleSeverities

    public init(configuration: CollectorConfiguration) throws {
        endpoint = try configuration.endpoint(default: Self.defaultEndpoint)
        self.configuration = configuration
        severities = configuration.severities(for: Self.rules)
    }

    public func candidates(for request: CollectionRequest) throws -> [DownloadCandidate] {
        try request.requireOnlyFilters(["snapshot_intervals"], collector: Self.typeName)
        let files: [SPPIntervalFile]
        if let days = request.days {
            files = days.flatMap(SPPIntervalFile.files(of:))
        } else {
            files = SPPIntervalFile.latest(request.filters["snapshot_intervals"].flatMap(Int.init) ?? 12, before: request.collectionTime)
        }
        return files.map { file in
            DownloadCandidate(
                identifier: file.name, sourceURL: endpoint, queryParameters: [QueryParameter("path", file.path)],
                headers: ["Accept": "text/csv", "User-Agent": configuration.userAgent], timeout: configuration.requestTimeout,
                partitionDate: file.startDay,
                metadata: [
                    "data_type": .string("rtbm_lmp_by_location"), "source": .string("spp"),
                    "interval_end": .string(UTCTimestamp.iso8601(file.end)), "market_day": .string(file.startDay.description),
                    "time_zone": .string(SPPIntervalFile.timeZone.identifier), "collected_at": .string(UTCTimestamp.iso8601(request.collectionTime)),
                ],
                context: CandidateContext(requestedDate: file.startDay, filters: ["interval_end": String(file.end.timeIntervalSince1970)]))
        }
    }

    /// The interval file; a 404 is not published (SPP leaves gaps, e.g. around the fall-back change).
    public func collect(_ candidate: DownloadCandidate, using http: any HTTPClient) async throws -> ContentStream {
        guard let body = try await http.bodyUnless404(candidate) else {
            throw SourceNotPublished("\(candidate.identifier): HTTP 404 (SPP has no file for this interval)")
        }
        return ContentStream(body)
    }

    public func streamingValidator(for candidate: DownloadCandidate) -> (any StreamingValidator)? {
        let end = Date(timeIntervalSince1970: candidate.context.filters["interval_end"].flatMap(Double.init) ?? 0)
        return CSVStreamingValidator(schema: SPPIntervalSchema.schema, checker: SPPIntervalChecker(file: SPPIntervalFile(end: end)), severities: severities)
    }

    public func validate(_ content: Data, for candidate: DownloadCandidate) -> ValidationResult {
        validateWithStreamingValidator(content, for: candidate)
    }
}
