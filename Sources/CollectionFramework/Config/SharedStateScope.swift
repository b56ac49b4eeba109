/// Whether the store and the registry are shared with other runners (an S3 bucket, a Redis that the
/// Python collectors and other hosts use too) or private to this machine (a local folder, the
/// embedded SQLite file), and what a mix of the two means.
///
/// A mix loses the "stored exactly once" promise in one direction or the other:
/// - a shared bucket with a private registry stores again whatever the others stored, and they never
///   see our hashes;
/// - a shared registry with a private store registers `file://` paths where everyone looks, so the
///   others skip content they cannot read.
///
/// So a mix is refused unless `registry.allow_mixed_sharing: true` says it is meant; then it is
/// only a warning that says what it means.
public enum SharedStateScope {
    /// The warnings to log (empty when store and registry agree), or a ``ConfigError`` for a mix
    /// that was not allowed.
    public static func check(storage: StorageBackend, registry: RegistryBackend, allowed: Bool) throws -> [String] {
        let problem: String
        switch (storage, registry) {
        case (.s3(let s3), .embedded(let path)):
            problem = "the registry is the private SQLite file \(path) while objects go to the shared bucket s3://\(s3.bucket): "
                + "whatever other collectors (the Python ones, other hosts) stored is stored again, and they never see this registry's hashes"
        case (.local(let local), .redis(let redis)):
            problem = "the registry is the shared Redis at \(redis.host):\(redis.port) while objects go to the private folder \(local.path): "
                + "file:// paths on this machine are registered where every collector looks, and they skip content they cannot read"
        default:
            return []
        }
        guard allowed else {
            throw ConfigError(problem + ". Use a matching pair (an S3 bucket with Redis: --redis-host or registry.type: redis; "
                              + "a local folder with the embedded registry), or set registry.allow_mixed_sharing: true "
                              + "(--allow-mixed-sharing) if this is meant")
        }
        return ["registry.allow_mixed_sharing is set: " + problem]
    }
}
