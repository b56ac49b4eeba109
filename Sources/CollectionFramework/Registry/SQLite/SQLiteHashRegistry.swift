import BlockingIO
import Foundation

/// The embedded default registry: one SQLite file holding the same keys and JSON records as the
/// Redis registry, with expiry times, so a first run needs no server. Safe for several processes
/// at once (WAL mode, `BEGIN IMMEDIATE` claims); survives restarts. Every statement runs on a
/// ``BlockingIOPool``.
public final class SQLiteHashRegistry: HashRegistry {
    public let environment: String
    private let database: SQLiteDatabase
    private let clock: @Sendable () -> Date
    private let pool: BlockingIOPool

    /// Opens or creates the registry file at `path` (parent folders are created, mode 0600).
    public init(path: String, environment: String, clock: @escaping @Sendable () -> Date = { Date() },
                pool: BlockingIOPool = .shared) throws {
        self.pool = pool
        guard RegistryKey.environments.contains(environment) else {
            throw HashRegistryError.failed("environment \(environment.debugDescription) is not one of dev, staging, prod")
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        self.environment = environment
        self.clock = clock
        database = try SQLiteDatabase(path: path)
        try database.query("CREATE TABLE IF NOT EXISTS registry (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires_at REAL NOT NULL)")
        try database.query("CREATE TABLE IF NOT EXISTS claims (key TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at REAL NOT NULL)")
    }

    /// Like ``init(path:environment:clock:pool:)``, with the file opened and the tables created on
    /// `pool` rather than on the calling thread: what async callers use.
    public static func open(path: String, environment: String, clock: @escaping @Sendable () -> Date = { Date() },
                            pool: BlockingIOPool = .shared) async throws -> SQLiteHashRegistry {
        try await pool.run { try SQLiteHashRegistry(path: path, environment: environment, clock: clock, pool: pool) }
    }

    public var displayName: String { "embedded registry \(database.path)" }

    public func exists(sha256: String, datasetGroup: String) async throws -> Bool {
        try await pool.run { [self] in try existsNow(sha256: sha256, datasetGroup: datasetGroup) }
    }

    public func claim(sha256: String, datasetGroup: String, ttl: Int) async throws -> Bool {
        try await pool.run { [self] in try claimNow(sha256: sha256, datasetGroup: datasetGroup, ttl: ttl) }
    }

    public func releaseClaim(sha256: String, datasetGroup: String) async throws {
        try await pool.run { [self] in try releaseClaimNow(sha256: sha256, datasetGroup: datasetGroup) }
    }

    public func register(sha256: String, datasetGroup: String, record: RegistryRecord, ttl: Int) async throws {
        try await pool.run { [self] in try registerNow(sha256: sha256, datasetGroup: datasetGroup, record: record, ttl: ttl) }
    }

    public func get(sha256: String, datasetGroup: String) async throws -> RegistryRecord? {
        try await pool.run { [self] in try getNow(sha256: sha256, datasetGroup: datasetGroup) }
    }

    public func timeToLive(sha256: String, datasetGroup: String) async throws -> Double? {
        try await pool.run { [self] in try timeToLiveNow(sha256: sha256, datasetGroup: datasetGroup) }
    }

    public func delete(sha256: String, datasetGroup: String) async throws -> Bool {
        try await pool.run { [self] in try deleteNow(sha256: sha256, datasetGroup: datasetGroup) }
    }

    public func count(datasetGroup: String) async throws -> Int {
        try await pool.run { [self] in try countNow(datasetGroup: datasetGroup) }
    }

    public func list(datasetGroup: String?) async throws -> [RegisteredHash] {
        try await pool.run { [self] in try listNow(datasetGroup: datasetGroup) }
    }

    public func checkReachable() async throws {
        try await pool.run { [self] in try checkReachableNow() }
    }

    private var now: Double { clock().timeIntervalSince1970 }
    /// Names this process, so a claim left by a killed runner on this machine can be taken over.
    private let owner = ClaimOwner.token()

    private func key(_ sha: String, _ group: String) -> String {
        RegistryKey.hash(environment: environment, datasetGroup: group, sha256: sha)
    }

    private func existsNow(sha256: String, datasetGroup: String) throws -> Bool {
        try !database.query("SELECT 1 FROM registry WHERE key = ? AND expires_at > ?", [key(sha256, datasetGroup), now]).isEmpty
    }

    private func claimNow(sha256: String, datasetGroup: String, ttl: Int) throws -> Bool {
        let claimKey = RegistryKey.claim(environment: environment, datasetGroup: datasetGroup, sha256: sha256)
        let time = now
        return try database.transaction {
            try database.queryInTransaction("DELETE FROM claims WHERE key = ? AND expires_at <= ?", [claimKey, time])
            if let holder = try database.queryInTransaction("SELECT owner FROM claims WHERE key = ?", [claimKey]).first?.first ?? nil,
               ClaimOwner.isAbandoned(holder) {
                try database.queryInTransaction("DELETE FROM claims WHERE key = ? AND owner = ?", [claimKey, holder])
            }
            try database.queryInTransaction("INSERT OR IGNORE INTO claims (key, owner, expires_at) VALUES (?, ?, ?)",
                                            [claimKey, owner, time + Double(ttl)])
            return database.changesInTransaction == 1
        }
    }

    private func releaseClaimNow(sha256: String, datasetGroup: String) throws {
        let claimKey = RegistryKey.claim(environment: environment, datasetGroup: datasetGroup, sha256: sha256)
        try database.query("DELETE FROM claims WHERE key = ? AND owner = ?", [claimKey, owner])
    }

    private func registerNow(sha256: String, datasetGroup: String, record: RegistryRecord, ttl: Int) throws {
        try database.query("INSERT OR REPLACE INTO registry (key, value, expires_at) VALUES (?, ?, ?)",
                           [key(sha256, datasetGroup), record.json(), now + Double(ttl)])
    }

    private func getNow(sha256: String, datasetGroup: String) throws -> RegistryRecord? {
        let rows = try database.query("SELECT value FROM registry WHERE key = ? AND expires_at > ?", [key(sha256, datasetGroup), now])
        guard let value = rows.first?.first ?? nil else { return nil }
        return try RegistryRecord(json: value)
    }

    /// Seconds until the record expires, or nil when there is none.
    private func timeToLiveNow(sha256: String, datasetGroup: String) throws -> Double? {
        let rows = try database.query("SELECT expires_at FROM registry WHERE key = ? AND expires_at > ?", [key(sha256, datasetGroup), now])
        guard let text = rows.first?.first ?? nil, let expires = Double(text) else { return nil }
        return expires - now
    }

    private func deleteNow(sha256: String, datasetGroup: String) throws -> Bool {
        try database.execute("DELETE FROM registry WHERE key = ?", [key(sha256, datasetGroup)]) > 0
    }

    private func countNow(datasetGroup: String) throws -> Int {
        let pattern = RegistryKey.hash(environment: environment, datasetGroup: datasetGroup, sha256: "")
        try database.query("DELETE FROM registry WHERE expires_at <= ?", [now])
        let rows = try database.query("SELECT COUNT(*) FROM registry WHERE substr(key, 1, ?) = ?", [pattern.count, pattern])
        return Int(rows.first?.first.flatMap { $0 } ?? "0") ?? 0
    }

    private func listNow(datasetGroup: String?) throws -> [RegisteredHash] {
        let prefix = datasetGroup.map { RegistryKey.hash(environment: environment, datasetGroup: $0, sha256: "") } ?? "hash:\(environment):"
        let rows = try database.query("SELECT key, value FROM registry WHERE substr(key, 1, ?) = ? AND expires_at > ? ORDER BY key",
                                      [prefix.count, prefix, now])
        return try rows.compactMap { row in
            guard row.count == 2, let key = row[0], let value = row[1] else { return nil }
            return RegisteredHash(key: key, environment: environment, record: try RegistryRecord(json: value))
        }
    }

    private func checkReachableNow() throws {
        try database.query("SELECT 1")
    }
}
