import CollectionFramework
import Foundation
import Logging

/// Builds the storage, registry and notifier the settings ask for, registering every secret with
/// the redactor before anything can print it.
enum BackendFactory {
    static let defaultDataDirectory = "./data"

    /// The registry comes first: when Redis is unreachable the run stops before any download.
    static func services(_ settings: SettingsLayer, environment: String, logger: Logger) async throws -> PipelineServices {
        let registry = try makeRegistry(settings.registry, environment: environment)
        try await registry.checkReachable()
        let store = try await makeStore(settings.storage, http: settings.http)
        let notifier = try makeNotifier(settings.notifications)
        logger.info("storage: \(store.displayName); registry: \(registry.displayName); notifications: \(notifier?.displayName ?? "none")")
        return PipelineServices(store: store, registry: registry, notifier: notifier)
    }

    static func makeStore(_ s: StorageSettings, http: HTTPSettings = HTTPSettings()) async throws -> any ObjectStore {
        switch s.type ?? "local" {
        case "s3":
            guard let bucket = s.bucket else {
                throw ConfigError("storage.type is s3 but no bucket is set: pass --s3-bucket, set S3_BUCKET or storage.bucket")
            }
            let environment = ProcessInfo.processInfo.environment
            let configuration: S3Configuration
            do {
                configuration = try S3Configuration.resolve(
                    options: S3Options(bucket: bucket, profile: s.profile, region: s.region, endpointURL: s.endpointURL),
                    environment: environment, files: AWSSharedFiles.load(environment: environment))
            } catch {
                throw ConfigError("storage: \(error)")
            }
            SecretRedactor.shared.register(configuration.credentials.secretAccessKey)
            SecretRedactor.shared.register(configuration.credentials.sessionToken)
            let client = CurlHTTPClient(configuration: HTTPClientConfiguration(
                connectTimeout: http.connectTimeout ?? 10, caBundlePath: http.caBundle))
            let store = S3ObjectStore(configuration: configuration, client: client)
            try await store.checkReachable()
            return store
        default:
            let store = LocalObjectStore(root: URL(fileURLWithPath: s.path ?? defaultDataDirectory))
            try await store.checkReachable()
            return store
        }
    }

    static func makeRegistry(_ r: RegistrySettings, environment: String) throws -> any HashRegistry {
        SecretRedactor.shared.register(r.password)
        switch r.type ?? "embedded" {
        case "redis":
            let password = RedisConfiguration.resolvedPassword(config: r.password)
            SecretRedactor.shared.register(password)
            let configuration: RedisConfiguration
            do {
                configuration = try RedisConfiguration(
                    host: r.host ?? "localhost", port: r.port ?? 6379, database: r.db ?? 0, username: r.username,
                    password: password, environment: environment, connectTimeout: r.connectTimeout ?? 5,
                    commandTimeout: r.commandTimeout ?? 5)
            } catch {
                throw ConfigError("registry: \(error)")
            }
            return try RedisHashRegistry(configuration: configuration)
        default:
            let path = r.path ?? (defaultDataDirectory + "/registry.sqlite3")
            return try SQLiteHashRegistry(path: path, environment: environment)
        }
    }

    static func makeNotifier(_ n: NotificationSettings) throws -> (any Notifier)? {
        switch n.type ?? "none" {
        case "kafka":
            guard let connection = n.connectionString else {
                throw ConfigError("notifications.type is kafka but no connection string is set: pass --kafka-connection-string, set KAFKA_CONNECTION_STRING or notifications.connection_string")
            }
            SecretRedactor.shared.register(ConnectionStringSecrets.password(in: connection))
            var configuration: KafkaConfiguration
            do {
                configuration = try KafkaConfiguration(parsing: connection, environment: ProcessInfo.processInfo.environment,
                                                       extraProperties: n.properties ?? [:],
                                                       deliveryTimeout: n.deliveryTimeout ?? KafkaConfiguration.defaultDeliveryTimeout)
            } catch {
                throw ConfigError("notifications: \(error)")
            }
            SecretRedactor.shared.register(configuration.saslPassword)
            if let topic = n.topic { configuration.topic = topic }
            if let p = n.securityProtocol, let value = KafkaSecurityProtocol(rawValue: p) { configuration.securityProtocol = value }
            if let m = n.saslMechanism { configuration.saslMechanism = m }
            return try KafkaNotifier(configuration: configuration)
        default:
            return nil
        }
    }
}
