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
    /// Replace different content at the key instead of refusing it, keeping the previous object:
    /// as an older version in a versioned bucket, else copied first to
    /// ``StorageKey/history(of:previousSHA256:)``. For documents a source revises (a day's forecast).
    public var replaceDifferent: Bool

    public init(key: String, body: Data, contentSHA256: String, contentType: String = "application/json",
                metadata: [String: String] = [:], replaceIdentical: Bool = false, replaceDifferent: Bool = false) {
        self.key = key
        self.body = body
        self.contentSHA256 = contentSHA256
        self.contentType = contentType
        self.metadata = metadata
        self.replaceIdentical = replaceIdentical
        self.replaceDifferent = replaceDifferent
    }
}

/// Where the content a ``ObjectPutRequest/replaceDifferent`` put replaced was kept.
public enum ReplacedObject: Sendable, Equatable, CustomStringConvertible {
    /// An older version of the same key (versioned bucket); the version id and the content's hash when
    /// the store could read them.
    case olderVersion(versionID: String?, previousSHA256: String?)
    /// A copy under this history key (unversioned bucket, local store), at `location` (as
    /// ``StoredObject/location``); `previousSHA256` is the content's hash, as its registry key has it.
    case historyCopy(key: String, location: String, previousSHA256: String)

    public var description: String {
        switch self {
        case .olderVersion(let id, _): return "kept as an older version" + (id.map { " (\($0))" } ?? "")
        case .historyCopy(let key, _, _): return "kept at \(key)"
        }
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
    /// Set when this put replaced different content at the key: where that content was kept.
    public var replaced: ReplacedObject?

    public init(key: String, location: String, versionID: String? = nil, etag: String? = nil, size: Int,
                replaced: ReplacedObject? = nil) {
        self.key = key
        self.location = location
        self.versionID = versionID
        self.etag = etag
        self.size = size
        self.replaced = replaced
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
/// - `put` never replaces an object whose raw content differs unless `replaceDifferent`: it throws
///   ``ObjectStoreError/keyTaken(key:existingSHA256:)`` and the pipeline picks a distinct key.
///   Identical content at the key is an idempotent success (re-stored only when `replaceIdentical`);
///   an object without a content hash in its metadata (one the Python collectors wrote) is read and
///   hashed to tell.
/// - With `replaceDifferent`, the previous content is never lost: it stays an older version (versioned
///   bucket) or is copied to ``StorageKey/history(of:previousSHA256:)`` before the key is overwritten;
///   ``StoredObject/replaced`` says which.
/// - Errors name what to fix and never contain credentials.
public protocol ObjectStore: AnyObject, Sendable {
    /// Where objects go, for logs (no secrets), e.g. `s3://bucket at http://127.0.0.1:5000`.
    var displayName: String { get }
    /// Stores an object; see the type's requirements.
    func put(_ request: ObjectPutRequest) async throws -> StoredObject
    /// Reads an object's stored bytes, or nil when there is none.
    func get(key: String) async throws -> Data?
    /// Fails with a clear error when the store cannot be used (missing bucket, wrong credentials).
    func checkReachable() async throws
    /// The start-up check of a run: throws like ``checkReachable()``; returns warnings for checks the
    /// credentials may not make (least privilege), which the caller logs. Defaults to ``checkReachable()``.
    func prepare() async throws -> [String]
}

extension ObjectStore {
    public func prepare() async throws -> [String] {
        try await checkReachable()
        return []
    }
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

    /// Folder beside the datasets where replaced content is kept (unversioned buckets, local store).
    public static let historyFolder = "_history"

    /// Where the previous content of `key` is kept when newer content replaces it: the key under
    /// `sourcing/_history/` (or `_history/` for a key outside `sourcing/`) with the previous content's
    /// first 12 SHA-256 hex digits before the extension:
    /// `sourcing/g/year=2025/month=01/day=20/cts_20250120.json.gz` →
    /// `sourcing/_history/g/year=2025/month=01/day=20/cts_20250120.<sha12>.json.gz`.
    public static func history(of key: String, previousSHA256: String) -> String {
        let tag = String(previousSHA256.lowercased().prefix(12))
        let folderEnd = key.lastIndex(of: "/").map { key.index(after: $0) } ?? key.startIndex
        let folder = String(key[..<folderEnd])
        var name = String(key[folderEnd...])
        var gz = ""
        if name.hasSuffix(".gz") { name.removeLast(3); gz = ".gz" }
        let tagged: String
        if let dot = name.lastIndex(of: "."), dot != name.startIndex {
            tagged = String(name[..<dot]) + "." + tag + String(name[dot...]) + gz
        } else {
            tagged = name + "." + tag + gz
        }
        let root = prefix + "/"
        let moved = folder.hasPrefix(root) ? root + historyFolder + "/" + folder.dropFirst(root.count) : historyFolder + "/" + folder
        return moved + tagged
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
