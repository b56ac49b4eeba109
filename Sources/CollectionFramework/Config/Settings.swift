/// Where objects are stored. Every field is optional so that defaults, an environment section,
/// environment variables and flags can be layered (later layers win field by field).
public struct StorageSettings: Sendable, Equatable {
    /// The backend; ``Defaults/storageKind`` when no layer names one.
    public var type: StorageKind?
    /// Root folder of the local store (default ``Defaults/dataDirectory``).
    public var path: String?
    public var bucket: String?
    public var region: String?
    public var endpointURL: String?
    public var profile: String?
    /// Server-side encryption each S3 PUT asks for: `AES256` or `aws:kms` (nil: the bucket's default).
    public var sse: String?
    /// The KMS key (id, ARN or `alias/…`) for `sse: aws:kms` (nil: the AWS managed key).
    public var kmsKeyID: String?

    public init() {}
    static let keys = ["type", "path", "bucket", "region", "endpoint_url", "profile", "sse", "kms_key_id"]

    mutating func overlay(_ o: StorageSettings) {
        type = o.type ?? type; path = o.path ?? path; bucket = o.bucket ?? bucket
        region = o.region ?? region; endpointURL = o.endpointURL ?? endpointURL; profile = o.profile ?? profile
        sse = o.sse ?? sse; kmsKeyID = o.kmsKeyID ?? kmsKeyID
    }
}

/// The hash registry.
public struct RegistrySettings: Sendable, Equatable {
    /// The backend; ``Defaults/registryKind`` when no layer names one.
    public var type: RegistryKind?
    /// Embedded registry file (default ``Defaults/registryPath``).
    public var path: String?
    public var host: String?
    public var port: Int?
    public var db: Int?
    public var username: String?
    public var password: String?
    public var ttlDays: Int?
    public var connectTimeout: Double?
    public var commandTimeout: Double?
    public var claimTTL: Int?
    /// True when a private registry beside a shared store (or the reverse) is meant: see
    /// ``SharedStateScope``. Without it such a mix is refused.
    public var allowMixedSharing: Bool?

    public init() {}
    static let keys = ["type", "path", "host", "port", "db", "username", "password", "ttl_days", "connect_timeout", "command_timeout",
                       "claim_ttl", "allow_mixed_sharing"]

    mutating func overlay(_ o: RegistrySettings) {
        type = o.type ?? type; path = o.path ?? path; host = o.host ?? host; port = o.port ?? port; db = o.db ?? db
        username = o.username ?? username; password = o.password ?? password; ttlDays = o.ttlDays ?? ttlDays
        connectTimeout = o.connectTimeout ?? connectTimeout; commandTimeout = o.commandTimeout ?? commandTimeout
        claimTTL = o.claimTTL ?? claimTTL; allowMixedSharing = o.allowMixedSharing ?? allowMixedSharing
    }
}

/// Notifications of stored objects.
public struct NotificationSettings: Sendable, Equatable {
    /// The backend; ``Defaults/notifierKind`` when no layer names one.
    public var type: NotifierKind?
    public var connectionString: String?
    public var topic: String?
    public var securityProtocol: String?
    public var saslMechanism: String?
    public var deliveryTimeout: Double?
    /// Extra librdkafka properties, passed through.
    public var properties: [String: String]?

    public init() {}
    static let keys = ["type", "connection_string", "topic", "security_protocol", "sasl_mechanism", "delivery_timeout", "properties"]

    mutating func overlay(_ o: NotificationSettings) {
        type = o.type ?? type; connectionString = o.connectionString ?? connectionString; topic = o.topic ?? topic
        securityProtocol = o.securityProtocol ?? securityProtocol; saslMechanism = o.saslMechanism ?? saslMechanism
        deliveryTimeout = o.deliveryTimeout ?? deliveryTimeout
        if let p = o.properties { properties = (properties ?? [:]).merging(p) { $1 } }
    }
}

/// HTTP client settings (shared defaults, overridable per collector).
public struct HTTPSettings: Sendable, Equatable {
    public var userAgent: String?
    public var connectTimeout: Double?
    public var timeout: Double?
    public var maxResponseBytes: Int?
    /// Requests per minute per host (or per ``rateLimitGroup``); 0 = unlimited.
    public var rateLimitPerMinute: Double?
    /// A name shared by collectors whose requests count against one limit whatever their hosts.
    public var rateLimitGroup: String?
    public var caBundle: String?

    public init() {}
    static let keys = ["user_agent", "connect_timeout", "timeout", "max_response_bytes", "rate_limit_per_minute", "rate_limit_group", "ca_bundle"]

    mutating func overlay(_ o: HTTPSettings) {
        userAgent = o.userAgent ?? userAgent; connectTimeout = o.connectTimeout ?? connectTimeout; timeout = o.timeout ?? timeout
        maxResponseBytes = o.maxResponseBytes ?? maxResponseBytes; rateLimitPerMinute = o.rateLimitPerMinute ?? rateLimitPerMinute
        caBundle = o.caBundle ?? caBundle; rateLimitGroup = o.rateLimitGroup ?? rateLimitGroup
    }
}

/// Retry settings (shared defaults, overridable per collector).
public struct RetrySettings: Sendable, Equatable {
    public var maxAttempts: Int?
    public var baseDelay: Double?
    public var maxDelay: Double?
    public var maxRetryAfter: Double?

    public init() {}
    static let keys = ["max_attempts", "base_delay", "max_delay", "max_retry_after"]

    mutating func overlay(_ o: RetrySettings) {
        maxAttempts = o.maxAttempts ?? maxAttempts; baseDelay = o.baseDelay ?? baseDelay
        maxDelay = o.maxDelay ?? maxDelay; maxRetryAfter = o.maxRetryAfter ?? maxRetryAfter
    }

    /// The policy these settings describe, ``Defaults/retryPolicy`` filling the gaps.
    public var policy: RetryPolicy {
        let d = Defaults.retryPolicy
        return RetryPolicy(maxAttempts: maxAttempts ?? d.maxAttempts, baseDelay: baseDelay ?? d.baseDelay,
                           maxDelay: maxDelay ?? d.maxDelay, maxRetryAfter: maxRetryAfter ?? d.maxRetryAfter)
    }
}

/// Pipeline settings.
public struct PipelineSettings: Sendable, Equatable {
    public var concurrency: Int?
    public var gzipLevel: Int?
    public var quarantineRejected: Bool?

    public init() {}
    static let keys = ["concurrency", "gzip_level", "quarantine_rejected"]

    mutating func overlay(_ o: PipelineSettings) {
        concurrency = o.concurrency ?? concurrency; gzipLevel = o.gzipLevel ?? gzipLevel
        quarantineRejected = o.quarantineRejected ?? quarantineRejected
    }
}

/// One section of settings: the `defaults`, one environment, or (for http/retry/pipeline) a collector.
public struct SettingsLayer: Sendable, Equatable {
    public var storage = StorageSettings()
    public var registry = RegistrySettings()
    public var notifications = NotificationSettings()
    public var http = HTTPSettings()
    public var retry = RetrySettings()
    public var pipeline = PipelineSettings()

    public init() {}

    /// Lays `other` over these settings, field by field.
    public mutating func overlay(_ other: SettingsLayer) {
        storage.overlay(other.storage)
        registry.overlay(other.registry)
        notifications.overlay(other.notifications)
        http.overlay(other.http)
        retry.overlay(other.retry)
        pipeline.overlay(other.pipeline)
    }
}

/// One configured collector (an entry under `collectors:`).
public struct CollectorEntry: Sendable, Equatable {
    /// Name used on the command line, e.g. `miso-cts`.
    public var name: String
    /// Registered collector type, e.g. `miso.cts`.
    public var type: String
    public var enabled: Bool
    /// Cron expression for `scraper serve`.
    public var schedule: String?
    /// IANA time zone the schedule is read in (e.g. `America/Chicago`); nil means UTC.
    public var timezone: String?
    public var apiURL: String?
    public var parameters: [String: String]
    /// `rule_severity:`: validation rules made `error` or `warning` for this collector.
    public var ruleSeverity: [String: RuleSeverity] = [:]
    /// HTTP, retry and pipeline settings after layering the collector's own over the environment's.
    public var http: HTTPSettings
    public var retry: RetrySettings
    public var pipeline: PipelineSettings

    public init(name: String, type: String, enabled: Bool = Defaults.collectorEnabled, schedule: String? = nil, apiURL: String? = nil,
                parameters: [String: String] = [:], http: HTTPSettings = HTTPSettings(), retry: RetrySettings = RetrySettings(),
                pipeline: PipelineSettings = PipelineSettings()) {
        self.name = name
        self.type = type
        self.enabled = enabled
        self.schedule = schedule
        self.apiURL = apiURL
        self.parameters = parameters
        self.http = http
        self.retry = retry
        self.pipeline = pipeline
    }
}

/// The `serve:` section: where `scraper serve` answers `/metrics`, `/healthz` and `/readyz`, how much it
/// staggers run starts, and where it remembers when each collector last ran.
public struct ServeSettings: Sendable, Equatable {
    /// Listening address, a dotted IPv4 address (default ``Defaults/serveHost``; `0.0.0.0` in a container).
    public var host: String?
    /// Listening port (default ``Defaults/servePort``; 0 picks a free port and prints it).
    public var port: Int?
    /// Each run starts a random 0…jitter seconds after its slot (default ``Defaults/jitterSeconds``).
    public var jitterSeconds: Double?
    /// Schedule state file (default: beside the embedded registry, `serve-state.<env>.json`).
    public var statePath: String?

    public static var defaultHost: String { Defaults.serveHost }
    public static var defaultPort: Int { Defaults.servePort }
    public static var defaultJitterSeconds: Double { Defaults.jitterSeconds }

    public init() {}
    static let keys = ["host", "port", "jitter_seconds", "state_path"]

    /// True for a dotted IPv4 address such as `127.0.0.1`.
    public static func isIPv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { p in
            !p.isEmpty && p.count <= 3 && p.allSatisfy { $0.isASCII && $0.isNumber } && Int(p)! <= 255
        }
    }
}
