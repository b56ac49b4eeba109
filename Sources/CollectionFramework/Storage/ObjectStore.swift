import Foundation

/// One object to store.
public struct ObjectPutRequest: Sendable {
    /// Key inside the store, e.g. `sourcing/<dgroup>/year=2025/month=01/day=20/cts_20250120.json.gz`.
    public var key: String
    /// The bytes to store (already gzipped by the pipeline).
    public var body: Data
    /// SHA-256 hex of the raw (uncompressed) content; stored as object metadata and used to tell
    /// an identical re-put from a different object at the same key.
    public var contentSHA256: String
    /// MIME type of `body`.
    public var contentType: String
    /// Extra metadata to store with the object (S3 `x-amz-meta-*`).
    public var metadata: [String: String]
    /// Re-store even when identical content is already at the key (`--force`).
    public var replaceIdentical: Bool

    public init(key: String, body: Data, contentSHA256: String, contentType: String = "application/json",
                metadata: [String: String] = [:], replaceIdentical: Bool = false) {
        self.key = key
        self.body = body
        self.contentSHA256 = contentSHA256
        self.contentType = contentType
        self.metadata = metadata
        self.replaceIdentical = replaceIdentical
    }
}

/// Where an object ended up.
public struct StoredObject: Sendable, Equatable {
    public var key: String
    /// Location string used in the registry and notifications: `s3://bucket/key`, or `file:///…` locally.
    public var location: String
    public var versionID: String?
    public var etag: String?
    /// Bytes stored (the gzipped size).
    public var size: Int

    public init(key: String, location: String, versionID: String? = nil, etag: String? = nil, size: Int) {
        self.key = key
        self.location = location
        self.versionID = versionID
        self.etag = etag
        self.size = size
    }
}

/// Where gzipped objects are kept: S3 in production, a local directory by default.
///
/// Every method is `async`; an implementation that makes blocking calls (file I/O with fsync,
/// libcurl) runs them on a ``BlockingIOPool``, never on Swift's cooperative pool, and waits
/// between retries with ``RetryPolicy/pause(_:)`` so that cancelling the task ends them.
///
/// Implementation requirements:
/// - `put` is all-or-nothing: a reader never sees a partial object.
/// - `put` never replaces an object whose raw content differs: it throws
///   ``ObjectStoreError/keyTaken(key:existingSHA256:)`` and the pipeline picks a distinct key.
///   Identical content at the key is an idempotent success (re-stored only when `replaceIdentical`).
/// - Errors name what to fix and never contain credentials.
public protocol ObjectStore: AnyObject, Sendable {
    /// Where objects go, for logs (no secrets), e.g. `s3://bucket at http://127.0.0.1:5000`.
    var displayName: String { get }
    /// Stores an object; see the type's requirements.
    func put(_ request: ObjectPutRequest) async throws -> StoredObject
    /// Reads an object's stored bytes, or nil when there is none.
    func get(key: String) async throws -> Data?
    /// Fails with a clear error when the store cannot be used (missing bucket, no permission).
    func checkReachable() async throws
}

/// Storage failures.
public enum ObjectStoreError: Error, Equatable, CustomStringConvertible {
    /// Another object with different content already has this key.
    case keyTaken(key: String, existingSHA256: String?)
    /// Reading or writing failed; the message says what to fix.
    case failed(String)
    /// A transient failure (5xx, throttling, connection reset): worth retrying.
    case transient(String)

    public var description: String {
        switch self {
        case .keyTaken(let key, let sha):
            return "an object with different content already exists at \(key)" + (sha.map { " (sha256 \($0))" } ?? "")
        case .failed(let message), .transient(let message): return message
        }
    }
}

/// Builds storage keys in the Python framework's layout.
public enum StorageKey {
    /// The prefix every dataset lives under.
    public static let prefix = "sourcing"
    /// Folder beside the datasets where refused payloads are kept, with their reason.
    public static let rejectedFolder = "_rejected"

    /// `sourcing/<dgroup>/year=YYYY/month=MM/day=DD/<identifier>[.gz]`.
    public static func object(datasetGroup: String, date: CalendarDate, identifier: String) -> String {
        let name = identifier.hasSuffix(".gz") ? identifier : identifier + ".gz"
        return "\(prefix)/\(datasetGroup)/" + partition(date) + "/\(name)"
    }

    /// `sourcing/_rejected/<dgroup>/year=YYYY/month=MM/day=DD/<identifier>[.gz]`.
    public static func rejected(datasetGroup: String, date: CalendarDate, identifier: String) -> String {
        let name = identifier.hasSuffix(".gz") ? identifier : identifier + ".gz"
        return "\(prefix)/\(rejectedFolder)/\(datasetGroup)/" + partition(date) + "/\(name)"
    }

    /// `sourcing/<dgroup>/year=YYYY/month=MM/day=DD`: the folder of one partition day.
    public static func folder(datasetGroup: String, date: CalendarDate) -> String {
        "\(prefix)/\(datasetGroup)/" + partition(date)
    }

    static func partition(_ date: CalendarDate) -> String {
        String(format: "year=%04d/month=%02d/day=%02d", date.year, date.month, date.day)
    }

    /// An identifier made distinct by the content hash: `cts_x.json` → `cts_x_<sha12>.json`.
    /// Used when a different object already holds the natural key.
    public static func distinctIdentifier(_ identifier: String, sha256: String) -> String {
        let tag = String(sha256.prefix(12))
        if let dot = identifier.lastIndex(of: "."), dot != identifier.startIndex {
            return identifier[..<dot] + "_" + tag + identifier[dot...]
        }
        return identifier + "_" + tag
    }
}
