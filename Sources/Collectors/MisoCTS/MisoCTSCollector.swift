import CollectionFramework
import Foundation

/// Collects MISO's Coordinated Transaction Scheduling forecasts (MISO-PJM interface prices) per
/// `shared/spec/miso-cts-scraper-spec.md`.
///
/// - Snapshot: one candidate without a date, `cts_snapshot_YYYYMMDD_HHMM.json`, named and filed by
///   the collection time in MISO's time (EST, UTC-05:00 all year).
/// - Day / range: one candidate per day, `cts_YYYYMMDD.json`, query `date=YYYY-MM-DD`.
/// - Filters `interval` (HH:MM) and `node` add query parameters (`date, interval, node`) and
///   identifier parts (`cts_20250120_int1435_MISO_PJM_INTERFACE1.json`). MISO revises a day's
///   forecast, so a rerun's newer content replaces the day's object (the previous one is kept, see
///   ``ChangedContentPolicy/replacePrevious``); snapshots keep both. Filters set in the
///   configuration's `parameters` are defaults; the request's filters override them.
///
/// Payloads are judged against the documented shape and against the flatter live shape (see
/// ``validate(_:for:)``).
public struct MisoCTSCollector: Collector {
    public static let typeName = "miso.cts"
    public static let summary = "MISO Coordinated Transaction Scheduling: MISO-PJM interface LMP forecasts"
    /// `interval` (HH:MM on the 5-minute grid; `--interval` is its alias) and `node` (an interface
    /// node name; `--node`), sent after `date` in that order.
    public static let parameters: [CollectorParameter] = [
        CollectorParameter("interval", .time(gridMinutes: 5),
                           help: "5-minute market interval, HH:MM (minutes 00, 05, ..., 55), e.g. 14:35", example: "14:35"),
        CollectorParameter("node", .string(maxLength: MisoCTSFilters.maxNodeLength),
                           help: "MISO-PJM interface node, e.g. MISO.PJM.INTERFACE1", example: "MISO.PJM.INTERFACE1",
                           check: MisoCTSFilters.nodeProblem),
    ]
    /// MISO's public endpoint, used unless the configuration gives `apiURL`.
    public static let defaultEndpoint = "https://public-api.misoenergy.org/api/CoordinatedTransactionScheduling"
    /// MISO publishes in Eastern Standard Time all year.
    public static let misoTimeZone = MisoClock.timeZone

    /// Objects are filed under `sourcing/miso_coordinated_transaction_scheduling/...`.
    public let datasetGroup = "miso_coordinated_transaction_scheduling"
    /// The configuration the collector was built from (user agent, timeout, endpoint override).
    public let configuration: CollectorConfiguration
    /// The address candidates GET.
    public let endpoint: String
    /// Filters from the configuration, applied unless a request overrides them.
    public let defaultFilters: [String: String]

    /// Checks `apiURL` (absolute http/https) and any filters given as `parameters`; throws
    /// ``CollectorError/invalidArgument(_:)`` naming the bad value.
    public init(configuration: CollectorConfiguration) throws {
        let endpoint = try configuration.endpoint(default: Self.defaultEndpoint)
        _ = try MisoCTSFilters(configuration.parameters)
        self.configuration = configuration
        self.endpoint = endpoint
        self.defaultFilters = configuration.parameters
    }

    /// True for `HH:MM` with hour 00-23 and minutes on the 5-minute grid (`14:35`; not `14:33`, `9:05`, `24:00`).
    public static func isValidInterval(_ text: String) -> Bool {
        // Byte by byte, without allocating: this runs once per record of payloads with 100,000 records.
        let bytes = text.utf8
        guard bytes.count == 5 else { return false }
        var position = 0, hour = 0, minute = 0
        for byte in bytes {
            if position == 2 {
                guard byte == UInt8(ascii: ":") else { return false }
            } else {
                let digit = byte &- UInt8(ascii: "0")
                guard digit < 10 else { return false }
                if position < 2 { hour = hour * 10 + Int(digit) } else { minute = minute * 10 + Int(digit) }
            }
            position += 1
        }
        return hour <= 23 && minute <= 55 && minute % 5 == 0
    }

    /// One candidate for a snapshot, one per day otherwise; refuses bad filters before any request.
    public func candidates(for request: CollectionRequest) throws -> [DownloadCandidate] {
        var values = defaultFilters
        for (name, value) in request.filters { values[name] = value }
        let filters = try MisoCTSFilters(values)
        let collectedAt = UTCTimestamp.iso8601(request.collectionTime)

        guard let days = request.days else {
            let stamp = SnapshotStamp(request.collectionTime, in: Self.misoTimeZone)
            let name = stamp.identifier(prefix: "cts", parts: filters.identifierParts)
            return [candidate(identifier: name, date: nil, partition: stamp.day, filters: filters, values: values, collectedAt: collectedAt)]
        }
        if days.isEmpty {
            throw CollectorError.invalidArgument("empty date range for miso.cts: the start date must not be after the end date")
        }
        return days.map { day in
            let name = (["cts", day.compact] + filters.identifierParts).joined(separator: "_")
            return candidate(identifier: name + ".json", date: day, partition: day, filters: filters, values: values, collectedAt: collectedAt)
        }
    }

    private func candidate(identifier: String, date: CalendarDate?, partition: CalendarDate,
                           filters: MisoCTSFilters, values: [String: String], collectedAt: String) -> DownloadCandidate {
        var query: [QueryParameter] = []
        if let date { query.append(QueryParameter("date", date.description)) }
        query += filters.queryParameters
        let metadata: JSONObject = [
            "data_type": .string("coordinated_transaction_scheduling"),
            "source": .string("miso"),
            "collection_mode": .string(date == nil ? "snapshot" : "date"),
            "date": date.map { .string($0.description) } ?? .null,
            "interval": filters.interval.map { .string($0) } ?? .null,
            "node": filters.node.map { .string($0) } ?? .null,
            "collected_at": .string(collectedAt),
        ]
        return DownloadCandidate(
            identifier: identifier, sourceURL: endpoint, queryParameters: query,
            headers: ["Accept": "application/json", "User-Agent": configuration.userAgent],
            timeout: configuration.requestTimeout, partitionDate: partition, metadata: metadata,
            context: CandidateContext(requestedDate: date, filters: values),
            changedContent: date == nil ? .storeBeside : .replacePrevious)
    }
}
