/// Where objects are stored, with everything the store needs (defaults filled in).
public enum StorageBackend: Sendable, Equatable {
    case local(LocalStoreOptions)
    case s3(S3StoreOptions)

    public var kind: StorageKind {
        switch self {
        case .local: return .local
        case .s3: return .s3
        }
    }
}

/// The embedded store: a local directory.
public struct LocalStoreOptions: Sendable, Equatable {
    public var path: String
    public init(path: String = Defaults.dataDirectory) { self.path = path }
}

/// An S3 bucket. Credentials, region and endpoint left nil are resolved like the AWS tools do
/// (profile files and `AWS_*` variables) when the store is built.
public struct S3StoreOptions: Sendable, Equatable {
    public var bucket: String
    public var region: String?
    public var endpointURL: String?
    public var profile: String?
    /// Encryption each PUT asks for; nil leaves it to the bucket's default encryption.
    public var serverSideEncryption: S3ServerSideEncryption?
    public init(bucket: String, region: String? = nil, endpointURL: String? = nil, profile: String? = nil,
                serverSideEncryption: S3ServerSideEncryption? = nil) {
        self.bucket = bucket
        self.region = region
        self.endpointURL = endpointURL
        self.profile = profile
        self.serverSideEncryption = serverSideEncryption
    }
}

/// The hash registry, with everything it needs.
public enum RegistryBackend: Sendable, Equatable {
    /// SQLite in the file at `path`.
    case embedded(path: String)
    case redis(RedisRegistryOptions)

    public var kind: RegistryKind {
        switch self {
        case .embedded: return .embedded
        case .redis: return .redis
        }
    }
}

/// A Redis registry. `password` nil means `REDIS_PASSWORD` (if set) when the registry is built.
public struct RedisRegistryOptions: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var database: Int
    public var username: String?
    public var password: String?
    public var connectTimeout: Double
    public var commandTimeout: Double
    public init(host: String = Defaults.redisHost, port: Int = Defaults.redisPort, database: Int = Defaults.redisDatabase,
                username: String? = nil, password: String? = nil,
                connectTimeout: Double = Defaults.redisConnectTimeout, commandTimeout: Double = Defaults.redisCommandTimeout) {
        self.host = host
        self.port = port
        self.database = database
        self.username = username
        self.password = password
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
    }
}

/// Who hears of stored objects.
public enum NotifierBackend: Sendable, Equatable {
    case none
    case kafka(KafkaNotifierOptions)

    public var kind: NotifierKind {
        switch self {
        case .none: return .none
        case .kafka: return .kafka
        }
    }
}

/// Kafka notifications. Nil fields keep what the connection string says (or Kafka's defaults).
public struct KafkaNotifierOptions: Sendable, Equatable {
    public var connectionString: String
    public var topic: String?
    public var securityProtocol: String?
    public var saslMechanism: String?
    public var deliveryTimeout: Double
    /// Extra librdkafka properties, passed through.
    public var properties: [String: String]
    public init(connectionString: String, topic: String? = nil, securityProtocol: String? = nil, saslMechanism: String? = nil,
                deliveryTimeout: Double = Defaults.kafkaDeliveryTimeout, properties: [String: String] = [:]) {
        self.connectionString = connectionString
        self.topic = topic
        self.securityProtocol = securityProtocol
        self.saslMechanism = saslMechanism
        self.deliveryTimeout = deliveryTimeout
        self.properties = properties
    }
}

/// The environment's settings after layering, as typed values with every default filled in:
/// what `scraper run` and `scraper serve` build their backends from. Made by
/// ``SettingsLayer/resolved()``.
public struct ResolvedSettings: Sendable, Equatable {
    public var storage: StorageBackend
    public var registry: RegistryBackend
    public var notifier: NotifierBackend
    /// The environment's `http` section as a client configuration (S3 uses its connect timeout and CA bundle).
    public var http: HTTPClientConfiguration
    /// What the runner logs as a warning at start (a mix of shared and private state the configuration allowed).
    public var warnings: [String]

    public init(storage: StorageBackend = .local(LocalStoreOptions()), registry: RegistryBackend = .embedded(path: Defaults.registryPath),
                notifier: NotifierBackend = .none, http: HTTPClientConfiguration = Defaults.httpClient, warnings: [String] = []) {
        self.storage = storage
        self.registry = registry
        self.notifier = notifier
        self.http = http
        self.warnings = warnings
    }
}

extension SettingsLayer {
    /// Resolves every section; throws ``ConfigError`` when a chosen backend lacks what it needs
    /// (S3 without a bucket, Kafka without a connection string) or when shared and private state are
    /// mixed without `registry.allow_mixed_sharing` (``SharedStateScope``).
    public func resolved() throws -> ResolvedSettings {
        let store = try storage.resolved()
        let registry = resolvedRegistry()
        let warnings = try SharedStateScope.check(storage: store, registry: registry, allowed: self.registry.allowMixedSharing ?? false)
        return ResolvedSettings(storage: store, registry: registry, notifier: try notifications.resolved(),
                                http: http.clientConfiguration, warnings: warnings)
    }

    /// The registry these settings mean: the one named, or else the one that matches the store (an S3
    /// bucket is shared, so its registry is Redis at localhost:6379, as the spec says; a local folder
    /// gets the embedded SQLite file).
    public func resolvedRegistry() -> RegistryBackend {
        var registry = self.registry
        if registry.type == nil, (storage.type ?? Defaults.storageKind) == .s3 { registry.type = .redis }
        return registry.resolved()
    }

    /// One collector's settings: its entry (whose http/retry/pipeline already lie over the
    /// environment's) plus the environment's registry TTLs.
    public func resolved(_ entry: CollectorEntry) -> ResolvedCollector {
        ResolvedCollector(entry, registry: registry)
    }
}

extension StorageSettings {
    public func resolved() throws -> StorageBackend {
        switch type ?? Defaults.storageKind {
        case .local:
            return .local(LocalStoreOptions(path: path ?? Defaults.dataDirectory))
        case .s3:
            guard let bucket else {
                throw ConfigError("storage.type is s3 but no bucket is set: pass --s3-bucket, set S3_BUCKET or storage.bucket")
            }
            return .s3(S3StoreOptions(bucket: bucket, region: region, endpointURL: endpointURL, profile: profile,
                                      serverSideEncryption: try resolvedEncryption()))
        }
    }
}

extension StorageSettings {
    /// `sse` and `kms_key_id` as the store's setting; a key id needs `sse: aws:kms`.
    func resolvedEncryption() throws -> S3ServerSideEncryption? {
        guard let sse else {
            guard kmsKeyID == nil else {
                throw ConfigError("storage.kms_key_id (--s3-kms-key-id) is set without storage.sse: set storage.sse to aws:kms (--s3-sse aws:kms)")
            }
            return nil
        }
        do {
            return try S3ServerSideEncryption(name: sse, kmsKeyID: kmsKeyID)
        } catch {
            throw ConfigError("storage: \(error)")
        }
    }
}

extension RegistrySettings {
    public func resolved() -> RegistryBackend {
        switch type ?? Defaults.registryKind {
        case .embedded:
            return .embedded(path: path ?? Defaults.registryPath)
        case .redis:
            return .redis(RedisRegistryOptions(
                host: host ?? Defaults.redisHost, port: port ?? Defaults.redisPort, database: db ?? Defaults.redisDatabase,
                username: username, password: password, connectTimeout: connectTimeout ?? Defaults.redisConnectTimeout,
                commandTimeout: commandTimeout ?? Defaults.redisCommandTimeout))
        }
    }

    /// Seconds a registry record lives.
    public var resolvedTTL: Int { (ttlDays ?? Defaults.registryTTLDays) * 86_400 }
    /// Seconds a storing claim lives.
    public var resolvedClaimTTL: Int { claimTTL ?? Defaults.claimTTL }
}

extension NotificationSettings {
    public func resolved() throws -> NotifierBackend {
        switch type ?? Defaults.notifierKind {
        case .none:
            return .none
        case .kafka:
            guard let connectionString else {
                throw ConfigError("notifications.type is kafka but no connection string is set: pass --kafka-connection-string, set KAFKA_CONNECTION_STRING or notifications.connection_string")
            }
            return .kafka(KafkaNotifierOptions(
                connectionString: connectionString, topic: topic, securityProtocol: securityProtocol, saslMechanism: saslMechanism,
                deliveryTimeout: deliveryTimeout ?? Defaults.kafkaDeliveryTimeout, properties: properties ?? [:]))
        }
    }
}

extension HTTPSettings {
    /// The curl client this section asks for (``Defaults/httpClient`` where it is silent).
    public var clientConfiguration: HTTPClientConfiguration {
        let d = Defaults.httpClient
        return HTTPClientConfiguration(userAgent: userAgent ?? d.userAgent, connectTimeout: connectTimeout ?? d.connectTimeout,
                                       maxResponseBytes: maxResponseBytes ?? d.maxResponseBytes, caBundlePath: caBundle ?? d.caBundlePath)
    }
}

extension PipelineSettings {
    /// The pipeline options this section asks for, with the registry's TTLs (`force` off: it is the runner's).
    public func options(registry: RegistrySettings, retryPolicy: RetryPolicy) -> PipelineOptions {
        let d = Defaults.pipeline
        return PipelineOptions(force: false, concurrency: concurrency ?? d.concurrency, gzipLevel: gzipLevel ?? d.gzipLevel,
                               registryTTL: registry.resolvedTTL, claimTTL: registry.resolvedClaimTTL,
                               quarantineRejected: quarantineRejected ?? d.quarantineRejected, retryPolicy: retryPolicy)
    }
}
