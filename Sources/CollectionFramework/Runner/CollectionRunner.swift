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
/// collectors of their own). Cancelling ``cancellation`` stops new candidates from starting.
public final class CollectionRunner: @unchecked Sendable {
    public let logger: Logger
    public let catalog: CollectorCatalog
    public let force: Bool
    public let cancellation: CancellationFlag
    /// Called after each candidate of any collector (for progress display).
    public var onProgress: (@Sendable (_ collector: String, _ done: Int, _ total: Int, _ outcome: CandidateOutcome) -> Void)?

    public init(logger: Logger, catalog: CollectorCatalog, force: Bool = false, cancellation: CancellationFlag = CancellationFlag()) {
        self.logger = logger
        self.catalog = catalog
        self.force = force
        self.cancellation = cancellation
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

    /// Runs every prepared collector at once (each on its own pipeline sharing one HTTP client and
    /// the backends) and returns their summaries in order.
    public func run(_ prepared: [PreparedCollector], services: PipelineServices, settings: SettingsLayer) -> [RunSummary] {
        let sharedConfiguration = Self.clientConfiguration(settings.http)
        let shared = CurlHTTPClient(configuration: sharedConfiguration)
        let summaries = SummarySlots(count: prepared.count)
        let group = DispatchGroup()
        for (index, item) in prepared.enumerated() {
            group.enter()
            let thread = Thread { [self] in
                defer { group.leave() }
                // A collector whose own http section changes the client (response cap, CA bundle,
                // connect timeout, User-Agent) gets a client of its own; the others share one.
                let own = Self.clientConfiguration(item.entry.http)
                let client = own == sharedConfiguration ? shared : CurlHTTPClient(configuration: own)
                let summary = pipeline(for: item, services: services, shared: client, settings: settings).run(candidates: item.candidates)
                summaries.set(index, summary)
            }
            thread.start()
        }
        group.wait()
        return summaries.all
    }

    /// The curl client settings an http section asks for (defaults where it is silent).
    static func clientConfiguration(_ http: HTTPSettings) -> HTTPClientConfiguration {
        HTTPClientConfiguration(
            userAgent: http.userAgent ?? HTTPClientConfiguration.defaultUserAgent,
            connectTimeout: http.connectTimeout ?? 10,
            maxResponseBytes: http.maxResponseBytes ?? 512 * 1024 * 1024,
            caBundlePath: http.caBundle)
    }

    public func pipeline(for item: PreparedCollector, services: PipelineServices, shared: any HTTPClient, settings: SettingsLayer) -> CollectionPipeline {
        var log = logger
        log[metadataKey: "collector"] = "\(item.entry.name)"
        let metrics = PipelineMetrics(collector: item.entry.name, environment: services.registry.environment)
        let http = ResilientHTTPClient(
            base: shared, retryPolicy: item.entry.retry.policy,
            rateLimiter: RateLimiter(requestsPerMinute: item.entry.http.rateLimitPerMinute ?? 0),
            logger: log, cancellation: cancellation)
        http.onRetry = { _ in metrics.retry() }
        let options = PipelineOptions(
            force: force, concurrency: item.entry.pipeline.concurrency ?? 4,
            gzipLevel: item.entry.pipeline.gzipLevel ?? Gzip.defaultLevel,
            registryTTL: (settings.registry.ttlDays ?? 365) * 24 * 3600,
            claimTTL: settings.registry.claimTTL ?? 300,
            quarantineRejected: item.entry.pipeline.quarantineRejected ?? true)
        let pipeline = CollectionPipeline(name: item.entry.name, collector: item.collector, services: services, http: http,
                                          options: options, logger: log, cancellation: cancellation)
        if let onProgress {
            let name = item.entry.name
            pipeline.onProgress = { done, total, outcome in onProgress(name, done, total, outcome) }
        }
        return pipeline
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

/// Summaries written by collector threads, read once all have finished.
private final class SummarySlots: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [RunSummary?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ summary: RunSummary) {
        lock.lock()
        slots[index] = summary
        lock.unlock()
    }

    var all: [RunSummary] {
        lock.lock()
        defer { lock.unlock() }
        return slots.map { $0! }
    }
}
