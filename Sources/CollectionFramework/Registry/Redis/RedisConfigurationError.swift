/// A Redis setting that cannot work, found before any connection is made.
public enum RedisConfigurationError: Error, Equatable, CustomStringConvertible {
    /// The environment is not one of ``RegistryKey/environments``.
    case invalidEnvironment(String)
    /// The port is outside 1...65535.
    case invalidPort(Int)
    /// The database number is negative.
    case invalidDatabase(Int)
    /// A timeout (named) is not a positive number of seconds.
    case invalidTimeout(name: String, seconds: Double)
    /// The host is empty.
    case emptyHost

    public var description: String {
        switch self {
        case .invalidEnvironment(let value):
            return "Redis environment '\(value)' is not valid: use one of \(RegistryKey.environments.joined(separator: ", ")) (--environment)"
        case .invalidPort(let port):
            return "Redis port \(port) is not valid: use a TCP port between 1 and 65535 (--redis-port)"
        case .invalidDatabase(let db):
            return "Redis database \(db) is not valid: use a number of 0 or more (--redis-db)"
        case .invalidTimeout(let name, let seconds):
            return "Redis \(name) timeout \(seconds) s is not valid: use a positive number of seconds"
        case .emptyHost:
            return "Redis host is empty: give a host name or address (--redis-host)"
        }
    }
}
