import Foundation

/// What the registry remembers about one stored content hash, in the Python framework's schema:
/// `{"s3_path": ..., "registered_at": "...Z", "metadata": {...}}`.
public struct RegistryRecord: Sendable, Equatable {
    /// Location string of the stored object (`s3://bucket/key`).
    public var location: String
    /// UTC ISO-8601 time with a trailing `Z`.
    public var registeredAt: String
    /// Candidate metadata plus `version_id` and `etag`.
    public var metadata: JSONObject

    public init(location: String, registeredAt: String, metadata: JSONObject) {
        self.location = location
        self.registeredAt = registeredAt
        self.metadata = metadata
    }

    /// The JSON text stored as the registry value.
    public func json() -> String {
        JSONObject([("s3_path", .string(location)), ("registered_at", .string(registeredAt)), ("metadata", .object(metadata))]).serialized()
    }

    /// Reads a record in the documented schema (written by us or by the Python framework).
    public init(json: String) throws {
        guard case .object(let object) = try JSONValue.parse(Data(json.utf8)),
              let location = object["s3_path"]?.stringValue else {
            throw HashRegistryError.corruptRecord("registry value is not a JSON object with s3_path")
        }
        self.location = location
        self.registeredAt = object["registered_at"]?.stringValue ?? ""
        if case .object(let metadata)? = object["metadata"] { self.metadata = metadata } else { self.metadata = [:] }
    }

    /// `registered_at` for now, as Python's `datetime.utcnow().isoformat() + "Z"` writes it.
    public static func timestamp(_ date: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss.SSSSSS"
        return formatter.string(from: date) + "Z"
    }
}

/// One registered hash with its record, as ``HashRegistry/list(datasetGroup:)`` returns it.
public struct RegisteredHash: Sendable, Equatable {
    public var datasetGroup: String
    public var sha256: String
    public var record: RegistryRecord

    public init(datasetGroup: String, sha256: String, record: RegistryRecord) {
        self.datasetGroup = datasetGroup
        self.sha256 = sha256
        self.record = record
    }

    /// Splits `hash:{environment}:{dgroup}:{sha256}`; nil for a key of another shape or environment.
    public init?(key: String, environment: String, record: RegistryRecord) {
        let prefix = "hash:\(environment):"
        guard key.hasPrefix(prefix), let colon = key.lastIndex(of: ":") else { return nil }
        let group = key[key.index(key.startIndex, offsetBy: prefix.count)..<colon]
        guard !group.isEmpty else { return nil }
        self.init(datasetGroup: String(group), sha256: String(key[key.index(after: colon)...]), record: record)
    }
}

/// Registry keys, shared with the Python framework.
public enum RegistryKey {
    /// The environments a registry key may name.
    public static let environments = ["dev", "staging", "prod"]

    /// `hash:{environment}:{dgroup}:{sha256}`.
    public static func hash(environment: String, datasetGroup: String, sha256: String) -> String {
        "hash:\(environment):\(datasetGroup):\(sha256)"
    }

    /// The key of the short-lived claim a runner takes while it stores a hash. It lives outside
    /// the `hash:` namespace so `count` and the Python framework never see it.
    public static func claim(environment: String, datasetGroup: String, sha256: String) -> String {
        "claim:\(environment):\(datasetGroup):\(sha256)"
    }
}

/// Remembers which content hashes were stored, so a rerun skips them: Redis in production, an
/// embedded SQLite file by default.
///
/// Every method is `async`; blocking client calls (hiredis, SQLite) run on a ``BlockingIOPool``,
/// and reconnect waits use ``RetryPolicy/pause(_:)`` so that cancelling the task ends them.
///
/// Implementation requirements:
/// - Keys and values follow ``RegistryKey`` and ``RegistryRecord`` so Python and Swift runners
///   share one registry; records expire after `ttl` seconds.
/// - `claim` is atomic across processes: of two callers, exactly one gets `true` until the claim
///   is released or expires by itself (a crashed runner's claim must not block forever).
/// - Errors never contain passwords.
public protocol HashRegistry: AnyObject, Sendable {
    /// Where the registry lives, for logs (no secrets).
    var displayName: String { get }
    /// The environment this registry's keys are in (`dev`, `staging`, `prod`).
    var environment: String { get }

    func exists(sha256: String, datasetGroup: String) async throws -> Bool
    /// Takes the right to store `sha256`; false when another runner holds it.
    func claim(sha256: String, datasetGroup: String, ttl: Int) async throws -> Bool
    /// Gives a claim back (no error when it is already gone).
    func releaseClaim(sha256: String, datasetGroup: String) async throws
    /// Writes the record with a TTL in seconds.
    func register(sha256: String, datasetGroup: String, record: RegistryRecord, ttl: Int) async throws
    func get(sha256: String, datasetGroup: String) async throws -> RegistryRecord?
    /// Forgets a hash; true when there was one.
    func delete(sha256: String, datasetGroup: String) async throws -> Bool
    /// Number of registered hashes of a dataset group.
    func count(datasetGroup: String) async throws -> Int
    /// Every live record of a dataset group, or of every group of the environment when nil, in key
    /// order (Redis: SCAN, never KEYS). Claims are not records and never listed.
    func list(datasetGroup: String?) async throws -> [RegisteredHash]
    /// Fails with a clear error when the registry cannot be used.
    func checkReachable() async throws
}

/// Registry failures.
public enum HashRegistryError: Error, Equatable, CustomStringConvertible {
    /// The registry cannot be reached; the message names host/path and what to check.
    case unavailable(String)
    /// A command failed.
    case failed(String)
    /// A stored value is not in the documented schema.
    case corruptRecord(String)

    public var description: String {
        switch self {
        case .unavailable(let m), .failed(let m), .corruptRecord(let m): return m
        }
    }
}
