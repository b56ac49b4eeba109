/// Every built-in default of the configuration, in one place: what a setting is when no layer
/// (command line, environment variables, the YAML environment, YAML `defaults:`) gives it.
///
/// Values whose typed home already states them are taken from there, so each number is written
/// exactly once: the HTTP client's from ``HTTPClientConfiguration``, the retry policy from
/// ``RetryPolicy/http``, the pipeline's from ``PipelineOptions``, Kafka's from ``KafkaConfiguration``.
///
/// | setting | default |
/// |---|---|
/// | `storage.type` / `storage.path` | `local` / `./data` |
/// | `registry.type` / `registry.path` | `embedded` / `./data/registry.sqlite3` |
/// | `registry.ttl_days` / `claim_ttl` | 365 / 300 s (``PipelineOptions``) |
/// | `registry.host` / `port` / `db` | `localhost` / 6379 / 0 |
/// | `registry.connect_timeout` / `command_timeout` | 5 s / 5 s |
/// | `notifications.type` / `delivery_timeout` | `none` / 20 s (``KafkaConfiguration``) |
/// | `http.timeout` | 60 s per request |
/// | `http.connect_timeout` / `max_response_bytes` / `user_agent` | ``HTTPClientConfiguration`` (10 s, 512 MiB) |
/// | `http.rate_limit_per_minute` | 0 (unlimited) |
/// | `retry.*` | ``RetryPolicy/http`` (4 attempts, 1 s base, 30 s max, Retry-After up to 120 s) |
/// | `pipeline.concurrency` / `gzip_level` / `quarantine_rejected` | ``PipelineOptions`` (4, ``Gzip/defaultLevel``, true) |
/// | `enabled` / `schedule` | true / `*/15 * * * *` |
/// | `serve.host` / `port` / `jitter_seconds` | `127.0.0.1` / 9464 / 5 s |
/// | `serve.state_path` | beside the embedded registry (`./data` with Redis), `serve-state.<env>.json` |
public enum Defaults {
    // MARK: Storage
    public static let storageKind = StorageKind.local
    /// Root of the local store, and the folder of every other local file.
    public static let dataDirectory = "./data"

    // MARK: Registry
    public static let registryKind = RegistryKind.embedded
    public static let registryPath = dataDirectory + "/registry.sqlite3"
    public static let registryTTLDays = PipelineOptions.defaultRegistryTTL / 86_400
    /// Seconds a storing claim lives.
    public static let claimTTL = pipeline.claimTTL
    public static let redisHost = "localhost"
    public static let redisPort = 6379
    public static let redisDatabase = 0
    public static let redisConnectTimeout = 5.0
    public static let redisCommandTimeout = 5.0

    // MARK: Notifications
    public static let notifierKind = NotifierKind.none
    public static let kafkaDeliveryTimeout: Double = KafkaConfiguration.defaultDeliveryTimeout

    // MARK: HTTP, retry, pipeline
    /// The shared HTTP client: User-Agent, connect timeout, response cap, no extra CA bundle.
    public static let httpClient = HTTPClientConfiguration()
    /// Seconds allowed for one request (one attempt of one candidate).
    public static let requestTimeout = 60.0
    /// Requests per minute per host; 0 = unlimited.
    public static let rateLimitPerMinute = 0.0
    public static let retryPolicy = RetryPolicy.http
    /// Concurrency, gzip level, registry TTL, claim TTL, quarantine (`force` is the runner's).
    public static let pipeline = PipelineOptions()

    // MARK: Collectors
    /// A collector entry without `enabled:` is enabled.
    public static let collectorEnabled = true

    // MARK: Scheduling and serve
    /// The schedule of a collector whose entry has none: the spec's every 15 minutes.
    public static let schedule = "*/15 * * * *"
    public static let serveHost = "127.0.0.1"
    public static let servePort = 9464
    public static let jitterSeconds = 5.0
}
