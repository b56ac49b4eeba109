import CollectionFramework
import Foundation

/// Collects the transmission constraints binding in MISO's real-time market from
/// `/api/BindingConstraints/RealTime` (live shape in `shared/docs/miso-public-api.md`).
///
/// A snapshot feed: no date parameter, one candidate per run,
/// `binding_constraints_snapshot_YYYYMMDD_HHMM.json`, named and partitioned by the collection time
/// on MISO's clock (EST). A `--date`/`--start-date` request or any filter is refused by
/// ``candidates(for:)``. Payloads are judged by ``validate(_:for:)`` (rules in
/// ``MisoBindingConstraintsRule``); the documented "nothing binding" form is valid and stored.
public struct MisoBindingConstraintsCollector: Collector {
    public static let typeName = "miso.binding_constraints"
    public static let summary = "MISO real-time binding transmission constraints and shadow prices (5-minute snapshot)"
    /// None: a snapshot feed takes no parameter or filter (any `--param` or `parameters:` key is refused).
    public static let parameters: [CollectorParameter] = []
    /// MISO's public endpoint, used unless the configuration gives `apiURL`.
    public static let defaultEndpoint = "https://public-api.misoenergy.org/api/BindingConstraints/RealTime"

    /// Objects are filed under `sourcing/miso_binding_constraints_realtime/...`.
    public let datasetGroup = "miso_binding_constraints_realtime"
    /// The address candidates GET.
    public let endpoint: String
    private let feed: MisoSnapshotFeed

    /// Checks `apiURL` (absolute http/https); throws ``CollectorError/invalidArgument(_:)`` naming it.
    public init(configuration: CollectorConfiguration) throws {
        endpoint = try configuration.endpoint(default: Self.defaultEndpoint)
        feed = MisoSnapshotFeed(typeName: Self.typeName, identifierPrefix: "binding_constraints",
                                dataType: "binding_constraints_realtime", endpoint: endpoint, configuration: configuration)
    }

    /// The one snapshot candidate; throws for a day/range request or any filter.
    public func candidates(for request: CollectionRequest) throws -> [DownloadCandidate] {
        try feed.candidates(for: request)
    }

    /// Judges one payload; never traps, whatever the bytes. See ``MisoBindingConstraintsValidator``.
    public func validate(_ content: Data, for candidate: DownloadCandidate) -> ValidationResult {
        MisoBindingConstraintsValidator().validate(content)
    }
}
