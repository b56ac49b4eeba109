import CollectionFramework
import Foundation

/// Collects MISO's ex-ante real-time LMP at the trading hubs from
/// `/api/MarketPricing/GetExAnteLmp` (live shape in `shared/docs/miso-public-api.md`).
///
/// A snapshot feed: no date parameter, one candidate per run,
/// `exante_lmp_snapshot_YYYYMMDD_HHMM.json`, named and partitioned by the collection time on MISO's
/// clock (EST). A `--date`/`--start-date` request or any filter is refused by ``candidates(for:)``.
/// Payloads are judged by ``validate(_:for:)`` (rules in ``MisoExAnteLMPRule``).
public struct MisoExAnteLMPCollector: Collector {
    public static let typeName = "miso.exante_lmp"
    public static let summary = "MISO ex-ante real-time LMP at the trading hubs (5-minute snapshot)"
    /// None: a snapshot feed takes no parameter or filter (any `--param` or `parameters:` key is refused).
    public static let parameters: [CollectorParameter] = []
    /// MISO's public endpoint, used unless the configuration gives `apiURL`.
    public static let defaultEndpoint = "https://public-api.misoenergy.org/api/MarketPricing/GetExAnteLmp"

    /// Objects are filed under `sourcing/miso_exante_lmp/...`.
    public let datasetGroup = "miso_exante_lmp"
    /// The address candidates GET.
    public let endpoint: String
    private let feed: MisoSnapshotFeed

    /// Checks `apiURL` (absolute http/https); throws ``CollectorError/invalidArgument(_:)`` naming it.
    public init(configuration: CollectorConfiguration) throws {
        endpoint = try configuration.endpoint(default: Self.defaultEndpoint)
        feed = MisoSnapshotFeed(typeName: Self.typeName, identifierPrefix: "exante_lmp", dataType: "exante_lmp",
                                endpoint: endpoint, configuration: configuration)
    }

    /// The one snapshot candidate; throws for a day/range request or any filter.
    public func candidates(for request: CollectionRequest) throws -> [DownloadCandidate] {
        try feed.candidates(for: request)
    }

    /// Judges one payload; never traps, whatever the bytes. See ``MisoExAnteLMPValidator``.
    public func validate(_ content: Data, for candidate: DownloadCandidate) -> ValidationResult {
        MisoExAnteLMPValidator().validate(content)
    }
}
