import CollectionFramework
import Foundation
import Logging

/// Builds the storage, registry and notifier the resolved settings ask for, registering every
/// secret with the redactor before anything can print it.
enum BackendFactory {
    /// The registry comes first: when Redis is unreachable the run stops before any download.
    static func services(_ settings: ResolvedSettings, environment: String, logger: Logger) async throws -> PipelineServices {
        let registry = try await makeRegistry(settings.registry, environment: environment)
        try await registry.checkReachable()
        let store = try await makeStore(settings.storage, http: settings.http, logger: logger)
        let notifier = try makeNotifier(settings.notifier)
        for warning in settings.warnings { logger.warning("\(warning)") }
        if let s3 = store as? S3ObjectStore { logger.info("S3 credentials: \(s3.configuration.identity)") }
        logger.info("storage: \(store.displayName); registry: \(registry.displayName); notifications: \(notifier?.displayName ?? NotifierKind.none.rawValue)")
        // With Redis, rate limits hold across every process that shares it; else within this process.
        let pacer: any RequestPacer = (registry as? RedisHashRegistry).map { RedisRequestPacer(registry: $0, logger: logger) }
            ?? ProcessRequestPacer.shared
        return PipelineServices(store: store, registry: registry, notifier: notifier, pacer: pacer)
    }

    /// `http` gives S3's connect timeout and CA bundle. The store's start-up check runs here; what it
    /// could not check (least-privilege credentials) is logged as a warning on `logger`.
    static func makeStore(_ backend: StorageBackend, http: HTTPClientConfiguration = Defaults.httpClient,
                          logger: Logger = Logger(label: "scraper")) async throws -> any ObjectStore {
        let (store, warnings) = try await openStore(backend, http: http)
        for warning in warnings { logger.warning("storage: \(warning)") }
        return store
    }

    /// The store and the warnings of its start-up check (``ObjectStore/prepare()``).
    static func openStore(_ backend: StorageBackend, http: HTTPClientConfiguration = Defaults.httpClient) async throws -> (any ObjectStore, [String]) {
        switch backend {
        case .s3(let s):
            let environment = ProcessInfo.processInfo.environment
            var configuration: S3Configuration
            do {
                let files = AWSSharedFiles.load(environment: environment)
                configuration = try await S3Configuration.resolve(
                    options: S3Options(bucket: s.bucket, profile: s.profile, region: s.region, endpointURL: s.endpointURL),
                    environment: environment, files: files,
                    chain: AWSCredentialChain(environment: environment, files: files, region: s.region,
                                              http: CurlHTTPClient(configuration: HTTPClientConfiguration(connectTimeout: http.connectTimeout,
                                                                                                          caBundlePath: http.caBundlePath))))
            } catch {
                throw ConfigError("storage: \(error)")
            }
            configuration.serverSideEncryption = s.serverSideEncryption
            SecretRedactor.shared.register(configuration.credentials.secretAccessKey)
            SecretRedactor.shared.register(configuration.credentials.sessionToken)
            let client = CurlHTTPClient(configuration: HTTPClientConfiguration(
                connectTimeout: http.connectTimeout, caBundlePath: http.caBundlePath))
            let store = S3ObjectStore(configuration: configuration, client: client)
            return (store, try await store.prepare())
        case .local(let options):
            let store = LocalObjectStore(root: URL(fileURLWithPath: options.path))
            return (store, try await store.prepare())
        }
    }

    static func makeRegistry(_ backend: RegistryBackend, environment: String) async throws -> any HashRegistry {
        switch backend {
        case .redis(let r):
            return try await RedisHashRegistry.connect(configuration: try redisConfiguration(r, environment: environment))
        case .embedded(let path):
            return try await SQLiteHashRegistry.open(path: path, environment: environment)
        }
    }

    /// The Redis connection settings of `r` (password from the options or `REDIS_PASSWORD`, masked in logs).
    static func redisConfiguration(_ r: RedisRegistryOptions, environment: String) throws -> RedisConfiguration {
        SecretRedactor.shared.register(r.password)
        let password = RedisConfiguration.resolvedPassword(config: r.password)
        SecretRedactor.shared.register(password)
        do {
            return try RedisConfiguration(host: r.host, port: r.port, database: r.database, username: r.username,
                                          password: password, environment: environment, connectTimeout: r.connectTimeout,
                                          commandTimeout: r.commandTimeout)
        } catch {
            throw ConfigError("registry: \(error)")
        }
    }

    static func makeNotifier(_ backend: NotifierBackend) throws -> (any Notifier)? {
        switch backend {
        case .kafka(let n):
            SecretRedactor.shared.register(ConnectionStringSecrets.password(in: n.connectionString))
            var configuration: KafkaConfiguration
            do {
                configuration = try KafkaConfiguration(parsing: n.connectionString, environment: ProcessInfo.processInfo.environment,
                                                       extraProperties: n.properties, deliveryTimeout: n.deliveryTimeout)
            } catch {
                throw ConfigError("notifications: \(error)")
            }
            SecretRedactor.shared.register(configuration.saslPassword)
            if let topic = n.topic { configuration.topic = topic }
            if let p = n.securityProtocol, let value = KafkaSecurityProtocol(rawValue: p) { configuration.securityProtocol = value }
            if let m = n.saslMechanism { configuration.saslMechanism = m }
            return try KafkaNotifier(configuration: configuration)
        case .none:
            return nil
        }
    }
}
