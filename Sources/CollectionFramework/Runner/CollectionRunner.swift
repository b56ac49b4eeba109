import Foundation
import Logging

/// A collector built from its entry, with its candidates already generated (so bad filters are
/// refused before any backend is touched).
public struct PreparedCollector: Sendable {
    public var entry: CollectorEntry
    public var collector: any Collector
    public var candidates: [DownloadCandidate]
}

/// Turns configured collector entries into pipelines over shared services and runs them: what
/// `scraper run` and `scraper serve` do, usable with any ``CollectorCatalog`` (tests register
/// collectors of their own). Cancelling the task that calls ``run(_:services:settings:)`` stops
/// the run: no new candidate starts (see ``CollectionPipeline``).
public struct CollectionRunner: Sendable {
    public let logger: Logger
    public let catalog: CollectorCatalog
    public let force: Bool
    /// Called after each candidate of any collector (for progress display).
    public let onProgress: (@Sendable (_ collector: String, _ done: Int, _ total: Int, _ outcome: CandidateOutcome) -> Void)?
    /// Told after each stage of each candidate (see ``PipelineObserver``).
    public let observer: PipelineObserver?

    public init(logger: Logger, catalog: CollectorCatalog, force: Bool = false,
                onProgress: (@Sendable (_ collector: String, _ done: Int, _ total: Int, _ outcome: CandidateOutcome) -> Void)? = nil,
                observer: PipelineObserver? = nil) {
        self.logger = logger
        self.catalog = catalog
        self.force = force
        self.onProgress = onProgress
        self.observer = observer
    }

    /// Builds the collector and generates its candidates; throws on bad parameters or filters.
    public func prepare(_ entry: CollectorEntry, request: CollectionRequest) throws -> PreparedCollector {
        guard let type = catalog.type(named: entry.type) else {
            throw ConfigError("collector \(entry.name) has unknown type \(entry.type); known: \(catalog.typeNames.joined(separator: ", "))")
        }
        let configuration = CollectorConfiguration(
            name: entry.name, apiURL: entry.apiURL, parameters: entry.parameters,
            userAgent: entry.http.userAgent ?? HTTPClientConfiguration.defaultUserAgent,
            requestTimeout: entry.http.timeout ?? 60)
        let collector: any Collector
        do {
            collector = try type.init(configuration: configuration)
        } catch {
            throw ConfigError("collector \(entry.name): \(error)")
        }
        var request = request
        request.filters.merge(entry.parameters.filter { key, _ in type.parameters.contains { $0.name == key } }) { cli, _ in cli }
        do {
            return PreparedCollector(entry: entry, collector: collector, candidates: try collector.candidates(for: request))
        } catch {
            throw ConfigError("collector \(entry.name): \(error)")
        }
    }

    /// Runs every prepared collector at once (each on its own pipeline, in a task group, sharing
    /// one HTTP client and the backends) and returns their summaries in order.
    public func run(_ prepared: [PreparedCollector], services: PipelineServices, settings: SettingsLayer) async -> [RunSummary] {
        let sharedConfiguration = Self.clientConfiguration(settings.http)
        let shared = CurlHTTPClient(configuration: sharedConfiguration)
        var summaries = [RunSummary?](repeating: nil, count: prepared.count)
        await withTaskGroup(of: (Int, RunSummary).self) { group in
            for (index, item) in prepared.enumerated() {
                // A collector whose own http section changes the client (response cap, CA bundle,
                // connect timeout, User-Agent) gets a client of its own; the others share one.
                let own = Self.clientConfiguration(item.entry.http)
                let client = own == sharedConfiguration ? shared : CurlHTTPClient(configuration: own)
                let pipeline = pipeline(for: item, services: services, shared: client, settings: settings)
                group.addTask { (index, await pipeline.run(candidates: item.candidates)) }
            }
            for await (index, summary) in group { summaries[index] = summary }
        }
        return summaries.map { $0! }
    }

    /// The curl client settings an http section asks for (defaults where it is silent).
    static func clientConfiguration(_ http: HTTPSettings) -> HTTPClientConfiguration {
        HTTPClientConfiguration(
            userAgent: http.userAgent ?? HTTPClientConfiguration.defaultUserAgent,
            connectTimeout: http.connectTimeout ?? 10,
            maxResponseBytes: http.maxResponseBytes ?? 512 * 1024 * 1024,
            caBundlePath: http.caBundle)
    }

    /// The pipeline that runs one prepared collector: its own rate limit and retry policy around
    /// the shared client, the pipeline options of its entry.
    public func pipeline(for item: PreparedCollector, services: PipelineServices, shared: any HTTPClient, settings: SettingsLayer) -> CollectionPipeline {
        var log = logger
        log[metadataKey: "collector"] = "\(item.entry.name)"
        let metrics = PipelineMetrics(collector: item.entry.name, environment: services.registry.environment)
        let http = ResilientHTTPClient(
            base: shared, retryPolicy: item.entry.retry.policy,
            rateLimiter: RateLimiter(requestsPerMinute: item.entry.http.rateLimitPerMinute ?? 0),
            logger: log, onRetry: { _ in metrics.retry() })
        let options = PipelineOptions(
            force: force, concurrency: item.entry.pipeline.concurrency ?? 4,
            gzipLevel: item.entry.pipeline.gzipLevel ?? Gzip.defaultLevel,
            registryTTL: (settings.registry.ttlDays ?? 365) * 24 * 3600,
            claimTTL: settings.registry.claimTTL ?? 300,
            quarantineRejected: item.entry.pipeline.quarantineRejected ?? true,
            retryPolicy: item.entry.retry.policy)
        let name = item.entry.name
        let progress = onProgress.map { report in
            { @Sendable (done: Int, total: Int, outcome: CandidateOutcome) in report(name, done, total, outcome) }
        }
        return CollectionPipeline(name: name, collector: item.collector, services: services, http: http,
                                  options: options, logger: log, onProgress: progress, observer: observer)
    }

    /// The summary line of a multi-collector run: totals plus one summary per collector.
    public static func combinedJSON(_ summaries: [RunSummary]) -> String {
        JSONObject([
            ("total_candidates", .int(summaries.reduce(0) { $0 + $1.totalCandidates })),
            ("collected", .int(summaries.reduce(0) { $0 + $1.collected })),
            ("skipped_duplicate", .int(summaries.reduce(0) { $0 + $1.skippedDuplicate })),
            ("failed", .int(summaries.reduce(0) { $0 + $1.failed })),
            ("errors", .array(summaries.flatMap { s in s.errors.map { .object(JSONObject([("collector", .string(s.collector)), ("candidate", .string($0.candidate)), ("error", .string($0.error))])) } })),
            ("collectors", .array(summaries.map { .object($0.jsonObject()) })),
        ]).serialized()
    }
}
