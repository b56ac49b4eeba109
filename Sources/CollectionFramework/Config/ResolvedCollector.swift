import Foundation

/// One collector instance with every setting resolved: what ``CollectionRunner`` prepares and runs.
/// Made from a ``CollectorEntry`` (after the command line's overrides) by
/// ``SettingsLayer/resolved(_:)`` or ``init(_:registry:)``.
public struct ResolvedCollector: Sendable, Equatable {
    /// Name used on the command line, e.g. `miso-cts`.
    public var name: String
    /// Registered collector type, e.g. `miso.cts`.
    public var type: String
    public var enabled: Bool
    /// Cron expression for `scraper serve`; nil means ``Defaults/schedule``.
    public var schedule: String?
    /// The zone ``schedule`` is read in: the entry's `timezone:`, else UTC.
    public var scheduleTimeZone: TimeZone = CronExpression.utc
    public var apiURL: String?
    /// The collector's parameters from `collectors.yaml`, checked against its declaration by the runner.
    public var parameters: [String: String]
    /// The curl client this collector fetches through (collectors with equal ones share a client).
    public var client: HTTPClientConfiguration
    /// Seconds allowed for one request.
    public var requestTimeout: Double
    /// Requests per minute per host; 0 = unlimited.
    public var rateLimitPerMinute: Double
    /// Counted against this group's limit rather than the host's (`http.rate_limit_group`).
    public var rateLimitGroup: String?
    /// Retries of requests and of downloads whose body breaks off.
    public var retryPolicy: RetryPolicy
    /// `rule_severity:` overrides, checked against the type's rules when the collector is prepared.
    public var ruleSeverity: [String: RuleSeverity] = [:]
    /// Concurrency, gzip level, TTLs, quarantine; `force` is set by the runner.
    public var pipeline: PipelineOptions

    public init(name: String, type: String, enabled: Bool = Defaults.collectorEnabled, schedule: String? = nil, apiURL: String? = nil,
                parameters: [String: String] = [:], client: HTTPClientConfiguration = Defaults.httpClient,
                requestTimeout: Double = Defaults.requestTimeout, rateLimitPerMinute: Double = Defaults.rateLimitPerMinute,
                retryPolicy: RetryPolicy = Defaults.retryPolicy, pipeline: PipelineOptions = Defaults.pipeline) {
        self.name = name
        self.type = type
        self.enabled = enabled
        self.schedule = schedule
        self.apiURL = apiURL
        self.parameters = parameters
        self.client = client
        self.requestTimeout = requestTimeout
        self.rateLimitPerMinute = rateLimitPerMinute
        self.retryPolicy = retryPolicy
        self.pipeline = pipeline
    }

    /// Resolves `entry` (its http/retry/pipeline sections already layered) with the registry TTLs of
    /// `registry`, ``Defaults`` filling every gap.
    public init(_ entry: CollectorEntry, registry: RegistrySettings = RegistrySettings()) {
        let retry = entry.retry.policy
        self.init(name: entry.name, type: entry.type, enabled: entry.enabled, schedule: entry.schedule, apiURL: entry.apiURL,
                  parameters: entry.parameters, client: entry.http.clientConfiguration,
                  requestTimeout: entry.http.timeout ?? Defaults.requestTimeout,
                  rateLimitPerMinute: entry.http.rateLimitPerMinute ?? Defaults.rateLimitPerMinute,
                  retryPolicy: retry, pipeline: entry.pipeline.options(registry: registry, retryPolicy: retry))
        // Checked when the configuration was read; an unknown name cannot get here from collectors.yaml.
        scheduleTimeZone = entry.timezone.flatMap(TimeZone.init(identifier:)) ?? CronExpression.utc
        rateLimitGroup = entry.http.rateLimitGroup
        ruleSeverity = entry.ruleSeverity
    }

    /// The schedule `scraper serve` runs it on.
    public var effectiveSchedule: String { schedule ?? Defaults.schedule }

    /// ``effectiveSchedule`` parsed, read in ``scheduleTimeZone``.
    public func cronSchedule() throws -> CronExpression {
        try CronExpression(effectiveSchedule, timeZone: scheduleTimeZone)
    }
}

extension ResolvedCollector {
    /// What the collector itself is built from (``Collector/init(configuration:)``).
    public var collectorConfiguration: CollectorConfiguration {
        var configuration = CollectorConfiguration(name: name, apiURL: apiURL, parameters: parameters,
                                                   userAgent: client.userAgent, requestTimeout: requestTimeout)
        configuration.ruleSeverities = ruleSeverity
        return configuration
    }
}
