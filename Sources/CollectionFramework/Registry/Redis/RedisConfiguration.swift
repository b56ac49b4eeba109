import Foundation

/// Where and how to reach the Redis that holds the hash registry.
///
/// `description` never shows the password, so a configuration may be logged as is.
public struct RedisConfiguration: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable {
    /// The environment variable a password is read from when the configuration gives none.
    public static let passwordEnvironmentVariable = "REDIS_PASSWORD"

    /// Host name or address (default `localhost`).
    public var host: String
    /// TCP port (default 6379).
    public var port: Int
    /// Database number selected after connecting (default 0).
    public var database: Int
    /// ACL user name (Redis 6+); nil authenticates as the default user.
    public var username: String?
    /// Password for AUTH; nil when the server needs none. Never printed.
    public var password: String?
    /// Registry environment the keys are in: `dev`, `staging` or `prod`.
    public var environment: String
    /// Seconds allowed to establish the TCP connection.
    public var connectTimeout: Double
    /// Seconds allowed for one command's reply.
    public var commandTimeout: Double
    /// The caps (seconds) of the pauses before each reconnect attempt after the connection is
    /// lost: one reconnect per entry, each pause a random time up to its cap (see ``reconnectPolicy``).
    public var reconnectDelays: [Double]

    /// The framework's ``RetryPolicy`` these delays describe: one attempt per delay after the
    /// first, full jitter, backoff from the first delay doubling up to the largest.
    public var reconnectPolicy: RetryPolicy {
        RetryPolicy(maxAttempts: reconnectDelays.count + 1, baseDelay: reconnectDelays.first ?? 0,
                    maxDelay: reconnectDelays.max() ?? 0, maxRetryAfter: reconnectDelays.max() ?? 0)
    }

    /// Validates the settings; throws ``RedisConfigurationError`` naming the bad one.
    public init(host: String = "localhost", port: Int = 6379, database: Int = 0,
                username: String? = nil, password: String? = nil, environment: String = "dev",
                connectTimeout: Double = 5, commandTimeout: Double = 5,
                reconnectDelays: [Double] = [0.2, 0.4, 0.8]) throws {
        self.host = host
        self.port = port
        self.database = database
        self.username = username
        self.password = password
        self.environment = environment
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.reconnectDelays = reconnectDelays
        try validate()
    }

    /// Checks every setting; throws ``RedisConfigurationError`` for the first bad one.
    public func validate() throws {
        guard !host.isEmpty else { throw RedisConfigurationError.emptyHost }
        guard (1...65535).contains(port) else { throw RedisConfigurationError.invalidPort(port) }
        guard database >= 0 else { throw RedisConfigurationError.invalidDatabase(database) }
        guard RegistryKey.environments.contains(environment) else {
            throw RedisConfigurationError.invalidEnvironment(environment)
        }
        guard connectTimeout > 0, connectTimeout.isFinite else {
            throw RedisConfigurationError.invalidTimeout(name: "connect", seconds: connectTimeout)
        }
        guard commandTimeout > 0, commandTimeout.isFinite else {
            throw RedisConfigurationError.invalidTimeout(name: "command", seconds: commandTimeout)
        }
        for delay in reconnectDelays where !(delay >= 0 && delay.isFinite) {
            throw RedisConfigurationError.invalidTimeout(name: "reconnect delay", seconds: delay)
        }
    }

    /// The password to use: the configured one when it is non-empty, otherwise `REDIS_PASSWORD`
    /// from `environment` when that is non-empty, otherwise nil.
    public static func resolvedPassword(config: String?,
                                        environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let config, !config.isEmpty { return config }
        if let fromEnvironment = environment[passwordEnvironmentVariable], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        return nil
    }

    /// `host:port`, as used in error messages.
    public var address: String { "\(host):\(port)" }

    /// `redis://[user@]host:port/db`, for logs; the password is never shown.
    public var displayName: String {
        let user = username.map { "\($0)@" } ?? ""
        return "redis://\(user)\(address)/\(database)"
    }

    public var description: String {
        let auth = password == nil ? "no password" : "password set"
        return "\(displayName) (environment \(environment), \(auth), connect timeout \(connectTimeout) s, command timeout \(commandTimeout) s)"
    }

    public var debugDescription: String { description }

    /// Mirrors the settings with the password hidden, so `dump` and debuggers do not show it.
    public var customMirror: Mirror {
        Mirror(self, children: [
            "host": host, "port": port, "database": database, "username": username as Any,
            "password": password == nil ? "none" : "***", "environment": environment,
            "connectTimeout": connectTimeout, "commandTimeout": commandTimeout, "reconnectDelays": reconnectDelays,
        ])
    }
}
