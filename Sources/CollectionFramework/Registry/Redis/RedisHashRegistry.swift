import Foundation
import Logging

/// The hash registry in Redis, shared with the Python framework: key
/// `hash:{env}:{dgroup}:{sha256}` (``RegistryKey/hash(environment:datasetGroup:sha256:)``), value
/// ``RegistryRecord/json()`` written with SETEX.
///
/// One connection, guarded by a lock, so any number of threads may share a registry. When the
/// connection breaks, a command reconnects with the configured backoff (by default 0.2 s, 0.4 s,
/// 0.8 s) and is retried; if Redis stays away it throws ``HashRegistryError/unavailable(_:)``.
///
/// Claims are `SET claim:{env}:{dgroup}:{sha256} <token> NX EX ttl` with a fresh token per claim,
/// so a crashed runner's claim expires by itself (or is taken over at once when its process on
/// this host is gone, see ``ClaimOwner``) and a release deletes only a claim still ours.
public final class RedisHashRegistry: HashRegistry, @unchecked Sendable {
    public let configuration: RedisConfiguration
    public var displayName: String { configuration.displayName }
    public var environment: String { configuration.environment }

    private let lock = NSLock()
    private let connection: RedisConnection
    private let logger: Logger
    /// Token of each claim this registry holds, by claim key (guarded by `lock`).
    private var claimTokens: [String: String] = [:]

    /// Deletes the key only when it still holds the caller's token.
    static let releaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end
        """

    /// Connects at once; throws ``HashRegistryError/unavailable(_:)`` when Redis cannot be reached
    /// or refuses the credentials, with a message naming `host:port` and what to check.
    public init(configuration: RedisConfiguration,
                logger: Logger = Logger(label: "scraper.registry.redis")) throws {
        try configuration.validate()
        self.configuration = configuration
        self.logger = logger
        do {
            connection = try RedisConnection(configuration: configuration)
        } catch let error as RedisConnectionError {
            throw Self.registryError(error)
        }
    }

    public func exists(sha256: String, datasetGroup: String) throws -> Bool {
        let key = hashKey(sha256, datasetGroup)
        return try perform("EXISTS") { try self.integer($0.checkedCommand(["EXISTS", key]), "EXISTS") > 0 }
    }

    public func claim(sha256: String, datasetGroup: String, ttl: Int) throws -> Bool {
        try Self.requirePositive(ttl, "claim")
        let key = claimKey(sha256, datasetGroup)
        let token = ClaimOwner.token()
        return try perform("SET NX") { connection in
            let reply = try connection.checkedCommand(["SET", key, token, "NX", "EX", String(ttl)])
            // A nil reply lost the race, unless an earlier attempt of this very call set the key
            // before the connection broke: the token is unique, so GET tells.
            var won = true
            if reply.isNull, let holder = try connection.checkedCommand(["GET", key]).text {
                won = holder == token
                if !won, ClaimOwner.isAbandoned(holder) {
                    // Left by a killed runner on this host: delete it if it is still that one, then try once more.
                    _ = try connection.checkedCommand(["EVAL", Self.releaseScript, "1", key, holder])
                    won = !(try connection.checkedCommand(["SET", key, token, "NX", "EX", String(ttl)]).isNull)
                }
            } else if reply.isNull {
                won = false
            }
            if won { self.claimTokens[key] = token }
            return won
        }
    }

    public func releaseClaim(sha256: String, datasetGroup: String) throws {
        let key = claimKey(sha256, datasetGroup)
        try perform("EVAL") { connection in
            guard let token = self.claimTokens[key] else { return }
            _ = try connection.checkedCommand(["EVAL", Self.releaseScript, "1", key, token])
            self.claimTokens[key] = nil
        }
    }

    public func register(sha256: String, datasetGroup: String, record: RegistryRecord, ttl: Int) throws {
        try Self.requirePositive(ttl, "record")
        let key = hashKey(sha256, datasetGroup)
        let value = record.json()
        try perform("SETEX") { _ = try $0.checkedCommand(["SETEX", key, String(ttl), value]) }
    }

    public func get(sha256: String, datasetGroup: String) throws -> RegistryRecord? {
        let key = hashKey(sha256, datasetGroup)
        let reply = try perform("GET") { try $0.checkedCommand(["GET", key]) }
        switch reply {
        case .null:
            return nil
        case .string(let json):
            do {
                return try RegistryRecord(json: json)
            } catch {
                throw HashRegistryError.corruptRecord("registry value of \(key) in Redis at \(configuration.address) is not a record {\"s3_path\", \"registered_at\", \"metadata\"}: \(error)")
            }
        default:
            throw HashRegistryError.failed("Redis at \(configuration.address) answered GET \(key) with \(reply)")
        }
    }

    public func delete(sha256: String, datasetGroup: String) throws -> Bool {
        let key = hashKey(sha256, datasetGroup)
        return try perform("DEL") { try self.integer($0.checkedCommand(["DEL", key]), "DEL") > 0 }
    }

    /// Counts `hash:{env}:{dgroup}:*` with SCAN (COUNT 1000), never KEYS.
    public func count(datasetGroup: String) throws -> Int {
        let pattern = RedisKeyPattern.hashes(environment: environment, datasetGroup: datasetGroup)
        return try perform("SCAN") { connection in
            var cursor = "0"
            var keys = Set<String>()  // SCAN may return a key twice while Redis rehashes.
            repeat {
                let reply = try connection.checkedCommand(["SCAN", cursor, "MATCH", pattern, "COUNT", "1000"])
                guard case .array(let parts) = reply, parts.count == 2, let next = parts[0].text,
                      case .array(let batch) = parts[1] else {
                    throw HashRegistryError.failed("Redis at \(self.configuration.address) answered SCAN with \(reply)")
                }
                for key in batch { if let key = key.text { keys.insert(key) } }
                cursor = next
            } while cursor != "0"
            return keys.count
        }
    }

    /// PING; throws ``HashRegistryError/unavailable(_:)`` when Redis cannot be reached.
    public func checkReachable() throws {
        try perform("PING") { _ = try $0.checkedCommand(["PING"]) }
    }

    // MARK: - Helpers

    private func hashKey(_ sha256: String, _ datasetGroup: String) -> String {
        RegistryKey.hash(environment: environment, datasetGroup: datasetGroup, sha256: sha256)
    }

    private func claimKey(_ sha256: String, _ datasetGroup: String) -> String {
        RegistryKey.claim(environment: environment, datasetGroup: datasetGroup, sha256: sha256)
    }

    private func integer(_ reply: RedisReply, _ command: String) throws -> Int {
        guard let value = reply.integer else {
            throw HashRegistryError.failed("Redis at \(configuration.address) answered \(command) with \(reply), expected an integer")
        }
        return value
    }

    private static func requirePositive(_ ttl: Int, _ what: String) throws {
        guard ttl > 0 else {
            throw HashRegistryError.failed("\(what) TTL must be a positive number of seconds, got \(ttl)")
        }
    }

    /// Runs `body` on the connection under the lock; after a connection failure reconnects with
    /// backoff and runs it again. Errors come out as ``HashRegistryError``.
    private func perform<T>(_ command: String, _ body: (RedisConnection) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        var lastFailure: RedisConnectionError
        do {
            // Lost by an earlier command whose retries ran out: try again at once.
            if !connection.isConnected { try connection.reconnect() }
            return try body(connection)
        } catch let error as RedisConnectionError where error.isConnectionProblem {
            lastFailure = error
        } catch let error as RedisConnectionError {
            throw Self.registryError(error)
        }
        for (attempt, delay) in configuration.reconnectDelays.enumerated() {
            logger.warning("Redis connection lost; reconnecting", metadata: [
                "redis": "\(configuration.displayName)", "command": "\(command)",
                "attempt": "\(attempt + 1)/\(configuration.reconnectDelays.count)", "delay_s": "\(delay)",
                "error": "\(lastFailure)",
            ])
            Thread.sleep(forTimeInterval: delay)
            do {
                try connection.reconnect()
                logger.info("Redis connection re-established", metadata: ["redis": "\(configuration.displayName)"])
                return try body(connection)
            } catch let error as RedisConnectionError where error.isConnectionProblem {
                lastFailure = error
            } catch let error as RedisConnectionError {
                throw Self.registryError(error)
            }
        }
        throw HashRegistryError.unavailable("Redis at \(configuration.address) is unreachable: \(command) failed and \(configuration.reconnectDelays.count) reconnect attempts failed; last error: \(lastFailure)")
    }

    /// Maps a connection failure to the registry's error type.
    private static func registryError(_ error: RedisConnectionError) -> HashRegistryError {
        switch error {
        case .cannotConnect(let m), .connectionLost(let m), .authenticationFailed(let m), .databaseSelectFailed(let m):
            return .unavailable(m)
        case .commandFailed(let m), .unexpectedReply(let m):
            return .failed(m)
        }
    }
}
