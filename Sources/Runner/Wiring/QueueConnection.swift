import ArgumentParser
import CollectionFramework
import Foundation

/// The environment's work queue, in the Redis its registry uses: `enqueue`, `worker` and `queue`
/// need a Redis registry (the queue is shared by every machine, as the registry is).
enum QueueConnection {
    static func open(_ settings: SettingsLayer, environment: String) async throws -> RedisWorkQueue {
        guard case .redis(let options) = settings.resolvedRegistry() else {
            throw Exit.fail("the work queue lives in Redis beside the hash registry, and this configuration's registry is the embedded one: "
                            + "pass --redis-host (and --redis-port) or set registry.type: redis", Exit.usage)
        }
        let configuration: RedisConfiguration
        do { configuration = try BackendFactory.redisConfiguration(options, environment: environment) } catch {
            throw Exit.fail("\(error)", Exit.usage)
        }
        do {
            let queue = try await RedisWorkQueue.connect(configuration: configuration)
            try await queue.ensureGroup()
            return queue
        } catch {
            throw Exit.fail("cannot open the work queue at \(configuration.displayName): \(error)", Exit.unavailable)
        }
    }
}

/// `--redis-host`, `--redis-port`, `--redis-db` for the queue commands.
struct QueueRedisOptions: ParsableArguments {
    @Option(name: .customLong("redis-host"), help: "Redis host of the registry and the queue.")
    var redisHost: String?
    @Option(name: .customLong("redis-port"), help: "Redis port (default 6379).")
    var redisPort: Int?
    @Option(name: .customLong("redis-db"), help: "Redis database number (default 0).")
    var redisDB: Int?

    func apply(_ settings: inout SettingsLayer) {
        if let redisHost { settings.registry.type = .redis; settings.registry.host = redisHost }
        if let redisPort { settings.registry.type = .redis; settings.registry.port = redisPort }
        if let redisDB { settings.registry.db = redisDB }
    }
}
