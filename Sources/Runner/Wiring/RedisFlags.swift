import CollectionFramework

/// Checks of the Redis flags that only make sense together.
enum RedisFlags {
    /// Why `--redis-db` would silently do nothing (the registry is not Redis), or nil when it applies.
    static func ineffectiveDatabase(_ database: Int?, registry: RegistrySettings) -> String? {
        guard let database, registry.type != .redis else { return nil }
        return "--redis-db \(database) has no effect: the registry is the embedded file, not Redis; add --redis-host (or set REDIS_HOST, or registry.type: redis in collectors.yaml) to use Redis database \(database)"
    }
}
