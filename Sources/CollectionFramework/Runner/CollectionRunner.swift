import Foundation
import Logging

/// A collector built from its resolved settings, with its candidates already generated (so bad
/// parameters and filters are refused before any backend is touched).
public struct PreparedCollector: Sendable {
    public var settings: ResolvedCollector
    public var collector: any Collector
    public var candidates: [DownloadCandidate]

    /// The collector's name, e.g. `miso-cts`.
    public var name: String { settings.name }
}

/// Turns resolved collector settings into pipelines over shared services and runs them: what
/// `scraper run` and `scraper serve` do, usable with any ``CollectorCatalog`` (tests register
/// collectors of their own). Cancelling the task that calls ``run(_:services:)`` stops the run:
/// no new candidate starts (see ``CollectionPipeline``).
///
/// ```swift
/// let settings = configuration.settings            // layered: flags > env vars > YAML env > YAML defaults
/// let collector = settings.resolved(entry)          // ResolvedCollector: client, timeout, retry, PipelineOptions
/// let prepared = try runner.prepare(collector, request: request)
/// let summaries = await runner.run([prepared], services: services)
/// ```
public struct CollectionRunner: Sendable {
    public let logger: Logger
    public let catalog: CollectorCatalog
    public let force: Bool
    /// Fetch and validate only, write nothing (see ``PipelineOptions/dryRun``).
    public let dryRun: Bool
    /// Recorded as `run_id` in each registry record's metadata (see ``PipelineOptions/runID``).
    public let runID: String?
    /// Called after each candidate of any collector (for progress display).
    public let onProgress: (@Sendable (_ collector: String, _ done: Int, _ total: Int, _ outcome: CandidateOutcome) -> Void)?
    /// Told after each stage of each candidate (see ``PipelineObserver``).
    public let observer: PipelineObserver?

    public init(logger: Logger, catalog: CollectorCatalog, force: Bool = false, dryRun: Bool = false, runID: String? = nil,
                onProgress: (@Sendable (_ collector: String, _ done: Int, _ total: Int, _ outcome: CandidateOutcome) -> Void)? = nil,
                observer: PipelineObserver? = nil) {
        self.logger = logger
        self.catalog = catalog
        self.force = force
        self.dryRun = dryRun
        self.runID = runID
        self.onProgress = onProgress
        self.observer = observer
    }

    /// Builds the collector and generates its candidates. Throws ``ConfigError`` naming the collector
    /// for an unknown type, a parameter (from `collectors.yaml` or the request) that the type does
    /// not declare or whose value it refuses, or a collector that refuses its configuration or request.
    ///
    /// The request's filters (`--param`, CTS's `--interval`/`--node`) lie over the configured parameters.
    public func prepare(_ settings: ResolvedCollector, request: CollectionRequest) throws -> PreparedCollector {
        guard let type = catalog.type(named: settings.type) else {
            throw ConfigError("collector \(settings.name) has unknown type \(settings.type); known: \(catalog.typeNames.joined(separator: ", "))")
        }
        do {
            try CollectorParameter.check(settings.parameters, against: type.parameters, collector: type.typeName)
            if let problem = RuleSeverities.problems(in: settings.ruleSeverity, declared: type.rules, typeName: type.typeName) {
                throw CollectorError.invalidArgument(problem)
            }
        } catch {
            throw ConfigError("collector \(settings.name): \(error)")
        }
        let collector: any Collector
        do {
            collector = try type.init(configuration: settings.collectorConfiguration)
        } catch {
            throw ConfigError("collector \(settings.name): \(error)")
        }
        var request = request
        do {
            try CollectorParameter.check(request.filters, against: type.parameters, collector: type.typeName)
            request.filters.merge(settings.parameters) { requested, _ in requested }
            return PreparedCollector(settings: settings, collector: collector, candidates: try collector.candidates(for: request))
        } catch {
            throw ConfigError("collector \(settings.name): \(error)")
        }
    }

    /// Runs every prepared collector at once (each on its own pipeline, in a task group, sharing
    /// the backends) and returns their summaries in order. Collectors whose client configurations
    /// are equal share one HTTP client.
    public func run(_ prepared: [PreparedCollector], services: PipelineServices) async -> [RunSummary] {
        var clients: [(configuration: HTTPClientConfiguration, client: CurlHTTPClient)] = []
        var summaries = [RunSummary?](repeating: nil, count: prepared.count)
        await withTaskGroup(of: (Int, RunSummary).self) { group in
            for (index, item) in prepared.enumerated() {
                let client: CurlHTTPClient
                if let shared = clients.first(where: { $0.configuration == item.settings.client }) {
                    client = shared.client
                } else {
                    client = CurlHTTPClient(configuration: item.settings.client)
                    clients.append((item.settings.client, client))
                }
                let pipeline = pipeline(for: item, services: services, shared: client)
                group.addTask { (index, await pipeline.run(candidates: item.candidates)) }
            }
            for await (index, summary) in group { summaries[index] = summary }
        }
        return summaries.map { $0! }
    }

    /// The pipeline that runs one prepared collector: its own rate limit and retry policy around
    /// the shared client, its pipeline options (with the runner's `force`).
    public func pipeline(for item: PreparedCollector, services: PipelineServices, shared: any HTTPClient) -> CollectionPipeline {
        var log = logger
        log[metadataKey: "collector"] = "\(item.name)"
        let metrics = PipelineMetrics(collector: item.name, environment: services.registry.environment)
        // A source's published limit (CAISO's 5 seconds) holds whatever the configuration says.
        var requestsPerMinute = item.settings.rateLimitPerMinute
        var group = item.settings.rateLimitGroup
        if let politeness = type(of: item.collector).politeness {
            requestsPerMinute = requestsPerMinute > 0 ? min(requestsPerMinute, politeness.requestsPerMinute) : politeness.requestsPerMinute
            group = group ?? politeness.group
        }
        let http = ResilientHTTPClient(
            base: shared, retryPolicy: item.settings.retryPolicy, pacer: services.pacer,
            requestsPerMinute: requestsPerMinute, group: group,
            logger: log, onRetry: { _ in metrics.retry() }, onWait: { reason, seconds in metrics.httpWait(reason: reason, seconds: seconds) })
        var options = item.settings.pipeline
        options.force = force
        options.dryRun = dryRun
        options.runID = runID
        let name = item.name
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
        ] + (summaries.contains(where: \.dryRun)
            ? [("dry_run", .bool(true)), ("would_store", .int(summaries.reduce(0) { $0 + $1.wouldStore }))] : [])).serialized()
    }
}
