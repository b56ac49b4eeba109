import Foundation

/// A data source: the Swift form of the Python framework's `BaseCollector`.
///
/// A collector only knows its source. It turns a request into download candidates, fetches one
/// candidate's bytes and judges them. Everything else (dedup, gzip, storage, notification,
/// registration, retries, metrics) is the shared ``CollectionPipeline``'s job.
///
/// Implementation requirements:
/// - `candidates(for:)` is synchronous and must not touch the network; it refuses bad filters by
///   throwing ``CollectorError/invalidArgument(_:)`` so the runner can stop before any request.
/// - `collect(_:using:)` is `async` and returns the payload as a ``ContentStream``: the pipeline
///   hashes and gzips each chunk as it arrives. The default GETs `candidate.url` through the shared
///   client (rate limit and retries included). A collector that has to assemble its payload (unzip a
///   member, join pages) returns `ContentStream(data)` or a stream of its own.
/// - `validate(_:for:)` must never crash, whatever the bytes, and must return
///   ``ValidationResult/invalid(_:)`` naming the rule and place for anything it does not accept.
public protocol Collector: Sendable {
    /// Registered type name used in `collectors.yaml`, e.g. `miso.cts`.
    static var typeName: String { get }
    /// One line for `scraper list`.
    static var summary: String { get }
    /// Every parameter the collector accepts, with its kind and help. The runner checks
    /// `collectors.yaml` `parameters:` and `--param` values against it before any request; an
    /// undeclared name is refused. The default is none.
    static var parameters: [CollectorParameter] { get }
    /// The validation rules whose severity `collectors.yaml` may change (`rule_severity:`), with their
    /// defaults (see ``RuleSeverity``). The default is none: every failure refuses the payload.
    static var rules: [ValidationRuleDeclaration] { get }
    /// The source's published request limit, enforced for every collector of the type together (and
    /// across processes sharing a Redis registry), whatever `http.rate_limit_per_minute` says; nil
    /// (the default) when the source publishes none.
    static var politeness: SourcePoliteness? { get }

    /// Builds the collector from its configuration; throws ``CollectorError`` for bad parameters.
    init(configuration: CollectorConfiguration) throws

    /// Dataset group the objects are filed under, e.g. `miso_coordinated_transaction_scheduling`.
    var datasetGroup: String { get }

    /// Turns a request into the list of downloads to make.
    func candidates(for request: CollectionRequest) throws -> [DownloadCandidate]

    /// Fetches one candidate's raw bytes, as they arrive. The default GETs `candidate.url` through
    /// the shared client and streams the response body.
    func collect(_ candidate: DownloadCandidate, using http: any HTTPClient) async throws -> ContentStream

    /// Judges one payload.
    func validate(_ content: Data, for candidate: DownloadCandidate) -> ValidationResult

    /// A validator that judges the payload as it streams in, or nil (the default) to have
    /// ``validate(_:for:)`` judge it whole (see ``StreamingValidator``).
    func streamingValidator(for candidate: DownloadCandidate) -> (any StreamingValidator)?
}

extension Collector {
    public static var parameters: [CollectorParameter] { [] }
    public static var rules: [ValidationRuleDeclaration] { [] }
    public static var politeness: SourcePoliteness? { nil }

    public func collect(_ candidate: DownloadCandidate, using http: any HTTPClient) async throws -> ContentStream {
        try await http.fetchStream(candidate).body
    }
}

/// How one configured collector instance is set up (from `collectors.yaml` and the command line).
public struct CollectorConfiguration: Sendable, Equatable {
    /// The instance name, e.g. `miso-cts`.
    public var name: String
    /// Overrides the collector's default endpoint (a mirror, the simulator).
    public var apiURL: String?
    /// Parameters from YAML (`parameters:`), as strings, already checked against ``Collector/parameters``.
    public var parameters: [String: String]
    /// User-Agent to announce.
    public var userAgent: String
    /// Seconds allowed for one request (``Defaults/requestTimeout`` unless configured).
    public var requestTimeout: Double
    /// Severity overrides from `collectors.yaml` (`rule_severity:`), already checked against ``Collector/rules``.
    public var ruleSeverities: [String: RuleSeverity] = [:]

    public init(name: String, apiURL: String? = nil, parameters: [String: String] = [:],
                userAgent: String = Defaults.httpClient.userAgent, requestTimeout: Double = Defaults.requestTimeout) {
        self.name = name
        self.apiURL = apiURL
        self.parameters = parameters
        self.userAgent = userAgent
        self.requestTimeout = requestTimeout
    }
}

/// A source's own request limit (CAISO OASIS: one request per 5 seconds), shared by every collector
/// of the types that declare the same ``group``.
public struct SourcePoliteness: Sendable, Equatable {
    /// The pacing group, e.g. `caiso-oasis`: requests of every collector in it are spaced together.
    public var group: String
    /// At least this many seconds between two requests of the group.
    public var minimumInterval: Double

    public init(group: String, minimumInterval: Double) {
        self.group = group
        self.minimumInterval = minimumInterval
    }

    /// The same limit as requests per minute (the unit of `http.rate_limit_per_minute`).
    public var requestsPerMinute: Double { 60 / minimumInterval }
}

extension CollectorConfiguration {
    /// The collector's rules with this configuration's overrides.
    public func severities(for declared: [ValidationRuleDeclaration]) -> RuleSeverities {
        RuleSeverities(declared: declared, overrides: ruleSeverities)
    }
}

/// Errors a collector raises before any download.
public enum CollectorError: Error, Equatable, CustomStringConvertible {
    /// A filter or parameter is wrong; the message names it and says what is accepted.
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .invalidArgument(let message): return message
        }
    }
}
