import BlockingIO
import Foundation
import Logging

/// The hash registry in Redis, shared with the Python framework: key
/// `hash:{env}:{dgroup}:{sha256}` (``RegistryKey/hash(environment:datasetGroup:sha256:)``), value
/// ``RegistryRecord/json()`` written with SETEX.
///
/// One connection (inside ``RedisLink``, under its lock), so any number of tasks may share a
/// registry; every command runs on a ``BlockingIOPool``. When the connection breaks, a command
/// reconnects with the framework's ``RetryPolicy`` (full jitter, capped by the configured delays:
/// by default up to 0.2 s, 0.4 s, 0.8 s) and is retried; if Redis stays away it throws
/// ``HashRegistryError/unavailable(_:)``. The waits between reconnects are cancellable: a stopping
/// run does not sit out the schedule.
///
/// Claims are `SET claim:{env}:{dgroup}:{sha256} <token> NX EX ttl` with a fresh token per claim,
/// so a crashed runner's claim expires by itself (or is taken over at once when its process on
/// this host is gone, see ``ClaimOwner``) and a release deletes only a claim still ours.
public final class RedisHashRegistry: HashRegistry {
    public let configuration: RedisConfiguration
    public var displayName: String { configuration.displayName }
    public var environment: String { configuration.environment }

    private let link: RedisLink
    private let logger: Logger
    private let pool: BlockingIOPool

    /// Deletes the key only when it still holds the caller's token.
    static let releaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end
        """

    /// Connects at once; throws ``HashRegistryError/unavailable(_:)`` when Redis cannot be reached
    /// or refuses the credentials, with a message naming `host:port` and what to check.
    public init(configuration: RedisConfiguration,
                logger: Logger = Logger(label: "scraper.registry.redis"), pool: BlockingIOPool = .shared) throws {
        try configuration.validate()
        self.configuration = configuration
        self.logger = logger
        self.pool = pool
        do {
            link = RedisLink(try RedisConnection(configuration: configuration))
        } catch let error as RedisConnectionError {
            throw Self.registryError(error)
        }
    }

    /// Like ``init(configuration:logger:pool:)``, with the connection (connect, AUTH, SELECT, PING)
    /// made on `pool` rather than on the calling thread: what async callers use.
    public static func connect(configuration: RedisConfiguration,
                               logger: Logger = Logger(label: "scraper.registry.redis"),
                               pool: BlockingIOPool = .shared) async throws -> RedisHashRegistry {
        try await pool.run { try RedisHashRegistry(configuration: configuration, logger: logger, pool: pool) }
    }

    public func exists(sha256: String, datasetGroup: String) async throws -> Bool {
        let key = hashKey(sha256, datasetGroup)
        let address = configuration.address
        return try await perform("EXISTS") { connection, _ in try Self.integer(connection.checkedCommand(["EXISTS", key]), "EXISTS", address) > 0 }
    }

    public func claim(sha256: String, datasetGroup: String, ttl: Int) async throws -> Bool {
        try Self.requirePositive(ttl, "claim")
        let key = claimKey(sha256, datasetGroup)
        let token = ClaimOwner.token()
        return try await perform("SET NX") { connection, claimTokens in
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
            if won { claimTokens[key] = token }
            return won
        }
    }

    public func releaseClaim(sha256: String, datasetGroup: String) async throws {
        let key = claimKey(sha256, datasetGroup)
        try await perform("EVAL") { connection, claimTokens in
            guard let token = claimTokens[key] else { return }
            _ = try connection.checkedCommand(["EVAL", Self.releaseScript, "1", key, token])
            claimTokens[key] = nil
        }
    }

    public func register(sha256: String, datasetGroup: String, record: RegistryRecord, ttl: Int) async throws {
        try Self.requirePositive(ttl, "record")
        let key = hashKey(sha256, datasetGroup)
        let value = record.json()
        try await perform("SETEX") { connection, _ in _ = try connection.checkedCommand(["SETEX", key, String(ttl), value]) }
    }

    public func get(sha256: String, datasetGroup: String) async throws -> RegistryRecord? {
        let key = hashKey(sha256, datasetGroup)
        let reply = try await perform("GET") { connection, _ in try connection.checkedCommand(["GET", key]) }
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

    public func delete(sha256: String, datasetGroup: String) async throws -> Bool {
        let key = hashKey(sha256, datasetGroup)
        let address = configuration.address
        return try await perform("DEL") { connection, _ in try Self.integer(connection.checkedCommand(["DEL", key]), "DEL", address) > 0 }
    }

    /// Counts `hash:{env}:{dgroup}:*` with SCAN (COUNT 1000), never KEYS.
    public func count(datasetGroup: String) async throws -> Int {
        let pattern = RedisKeyPattern.hashes(environment: environment, datasetGroup: datasetGroup)
        let address = configuration.address
        return try await perform("SCAN") { connection, _ in
            try Self.scanKeys(connection, matching: pattern, address: address).count
        }
    }

    /// SCAN (COUNT 1000) for `hash:{env}:{dgroup}:*` (or `hash:{env}:*`), then MGET in batches of 500.
    /// A key that expires between the two is left out.
    public func list(datasetGroup: String?) async throws -> [RegisteredHash] {
        let environment = self.environment
        let pattern = datasetGroup.map { RedisKeyPattern.hashes(environment: environment, datasetGroup: $0) }
            ?? RedisKeyPattern.allHashes(environment: environment)
        let address = configuration.address
        let values = try await perform("SCAN") { connection, _ -> [(String, String)] in
            let sorted = try Self.scanKeys(connection, matching: pattern, address: address).sorted()
            var found: [(String, String)] = []
            for start in stride(from: 0, to: sorted.count, by: 500) {
                let batch = Array(sorted[start..<min(start + 500, sorted.count)])
                let reply = try connection.checkedCommand(["MGET"] + batch)
                guard case .array(let items) = reply, items.count == batch.count else {
                    throw HashRegistryError.failed("Redis at \(address) answered MGET with \(reply)")
                }
                for (key, item) in zip(batch, items) { if let value = item.text { found.append((key, value)) } }
            }
            return found
        }
        return try values.compactMap { key, value in
            let record: RegistryRecord
            do { record = try RegistryRecord(json: value) } catch {
                throw HashRegistryError.corruptRecord("registry value of \(key) in Redis at \(address) is not a record {\"s3_path\", \"registered_at\", \"metadata\"}: \(error)")
            }
            return RegisteredHash(key: key, environment: environment, record: record)
        }
    }

    /// PING; throws ``HashRegistryError/unavailable(_:)`` when Redis cannot be reached.
    public func checkReachable() async throws {
        try await perform("PING") { connection, _ in _ = try connection.checkedCommand(["PING"]) }
    }

    // MARK: - Helpers

    private func hashKey(_ sha256: String, _ datasetGroup: String) -> String {
        RegistryKey.hash(environment: environment, datasetGroup: datasetGroup, sha256: sha256)
    }

    private func claimKey(_ sha256: String, _ datasetGroup: String) -> String {
        RegistryKey.claim(environment: environment, datasetGroup: datasetGroup, sha256: sha256)
    }

    /// Every key matching `pattern`, by SCAN (COUNT 1000), never KEYS.
    private static func scanKeys(_ connection: RedisConnection, matching pattern: String, address: String) throws -> Set<String> {
        var cursor = "0"
        var keys = Set<String>()  // SCAN may return a key twice while Redis rehashes.
        repeat {
            let reply = try connection.checkedCommand(["SCAN", cursor, "MATCH", pattern, "COUNT", "1000"])
            guard case .array(let parts) = reply, parts.count == 2, let next = parts[0].text,
                  case .array(let batch) = parts[1] else {
                throw HashRegistryError.failed("Redis at \(address) answered SCAN with \(reply)")
            }
            for key in batch { if let key = key.text { keys.insert(key) } }
            cursor = next
        } while cursor != "0"
        return keys
    }

    private static func integer(_ reply: RedisReply, _ command: String, _ address: String) throws -> Int {
        guard let value = reply.integer else {
            throw HashRegistryError.failed("Redis at \(address) answered \(command) with \(reply), expected an integer")
        }
        return value
    }

    private static func requirePositive(_ ttl: Int, _ what: String) throws {
        guard ttl > 0 else {
            throw HashRegistryError.failed("\(what) TTL must be a positive number of seconds, got \(ttl)")
        }
    }

    /// Runs `body` on the connection (on the pool, under the link's lock); after a connection
    /// failure reconnects with the reconnect policy's backoff and runs it again. Errors come out as
    /// ``HashRegistryError``. A cancelled task stops waiting at once and gets `unavailable`.
    func perform<T: Sendable>(_ command: String,
                              _ body: @escaping @Sendable (RedisConnection, inout [String: String]) throws -> T) async throws -> T {
        let link = self.link
        let policy = configuration.reconnectPolicy
        let reconnects = policy.maxAttempts - 1
        var lastFailure: RedisConnectionError?
        // Attempt 0 uses the connection as it is (reconnecting only when an earlier command left it
        // closed); each later attempt waits its backoff, then reconnects first.
        for attempt in 0...reconnects {
            if let lastFailure {
                let delay = policy.delay(afterAttempt: attempt, retryAfterSeconds: nil)
                logger.warning("Redis connection lost; reconnecting", metadata: [
                    "redis": "\(configuration.displayName)", "command": "\(command)",
                    "attempt": "\(attempt)/\(reconnects)", "delay_s": "\(String(format: "%.3f", delay))",
                    "error": "\(lastFailure)",
                ])
                do {
                    try await RetryPolicy.pause(delay)
                } catch {
                    throw HashRegistryError.unavailable("Redis at \(configuration.address) is unreachable: \(command) failed and the run is stopping, so no further reconnect is tried; last error: \(lastFailure)")
                }
            }
            let reconnecting = lastFailure != nil
            do {
                let result = try await pool.run {
                    try link.withConnection { connection, tokens in
                        if reconnecting || !connection.isConnected { try connection.reconnect() }
                        return try body(connection, &tokens)
                    }
                }
                if reconnecting {
                    logger.info("Redis connection re-established", metadata: ["redis": "\(configuration.displayName)"])
                }
                return result
            } catch let error as RedisConnectionError where error.isConnectionProblem {
                lastFailure = error
            } catch let error as RedisConnectionError {
                throw Self.registryError(error)
            }
        }
        throw HashRegistryError.unavailable("Redis at \(configuration.address) is unreachable: \(command) failed and \(reconnects) reconnect attempts failed; last error: \(lastFailure.map { "\($0)" } ?? "none")")
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

/// The one Redis connection of a registry and the claim tokens it holds.
///
/// Thread safety: `@unchecked Sendable` because the hiredis context (inside ``RedisConnection``)
/// and the token table are only touched inside ``withConnection(_:)``, which holds `lock` for the
/// whole call; hiredis itself is not thread-safe, and this is what serialises it. Calls block:
/// ``RedisHashRegistry`` makes them on a ``BlockingIOPool``.
final class RedisLink: @unchecked Sendable {
    private let lock = NSLock()
    private let connection: RedisConnection
    /// Token of each claim this registry holds, by claim key.
    private var claimTokens: [String: String] = [:]

    init(_ connection: RedisConnection) {
        self.connection = connection
    }

    func withConnection<T>(_ body: (RedisConnection, inout [String: String]) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(connection, &claimTokens)
    }
}
