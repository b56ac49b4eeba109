import Foundation

/// Knobs of one pipeline run.
public struct PipelineOptions: Sendable, Equatable {
    /// Store even when the registry already has the content (`--force`).
    public var force: Bool
    /// Candidates processed at once.
    public var concurrency: Int
    /// zlib level 0-9.
    public var gzipLevel: Int
    /// Seconds a registry record lives (365 days by default, as in the Python framework).
    public var registryTTL: Int
    /// Seconds a storing claim lives if its runner dies before releasing it.
    public var claimTTL: Int
    /// Keep refused payloads under `_rejected/` with their reason.
    public var quarantineRejected: Bool
    /// Seconds a candidate waits when another runner holds its claim: it looks again every
    /// ``claimPollInterval`` until the hash is registered (then it is a duplicate), the claim is
    /// free (then this runner stores it), or the wait is over (then it fails, to be retried).
    public var claimWait: Double = 30
    /// Seconds between two looks while waiting for another runner's claim.
    public var claimPollInterval: Double = 0.5
    /// How often a download whose body breaks off is tried again (the HTTP client itself retries
    /// failures before the body starts).
    public var retryPolicy: RetryPolicy
    /// Fetch and validate only (`--dry-run`, `--output -`): no claim, no store, no notification, no
    /// registration; each valid candidate ends ``CandidateOutcome/inspected(_:)`` with the key it
    /// would be stored under and whether the registry already has its content. Refused payloads
    /// are not quarantined either.
    public var dryRun = false
    /// The id of the run (the one its log lines carry), kept as `run_id` in each registry record's
    /// metadata so `scraper registry why` can say which run stored it. Nil leaves the key out.
    public var runID: String?

    public static let defaultRegistryTTL = 365 * 24 * 3600

    public init(force: Bool = false, concurrency: Int = 4, gzipLevel: Int = Gzip.defaultLevel,
                registryTTL: Int = PipelineOptions.defaultRegistryTTL, claimTTL: Int = 300, quarantineRejected: Bool = true,
                retryPolicy: RetryPolicy = .http) {
        self.force = force
        self.concurrency = max(1, concurrency)
        self.gzipLevel = gzipLevel
        self.registryTTL = registryTTL
        self.claimTTL = claimTTL
        self.quarantineRejected = quarantineRejected
        self.retryPolicy = retryPolicy
    }
}

/// The shared infrastructure a pipeline stores, dedups and announces through.
public struct PipelineServices: Sendable {
    public var store: any ObjectStore
    public var registry: any HashRegistry
    public var notifier: (any Notifier)?
    /// Paces requests per host (or `rate_limit_group`) for every collector using these services.
    public var pacer: any RequestPacer

    public init(store: any ObjectStore, registry: any HashRegistry, notifier: (any Notifier)? = nil,
                pacer: any RequestPacer = ProcessRequestPacer.shared) {
        self.store = store
        self.registry = registry
        self.notifier = notifier
        self.pacer = pacer
    }
}

/// How one candidate ended.
public enum CandidateOutcome: Sendable, Equatable {
    case collected(StoredObject, notificationFailed: Bool)
    case skippedDuplicate(reason: String)
    case failed(String, rejected: Bool)
    /// Never started because the run was interrupted.
    case notAttempted
    /// The source has not published this candidate (yet), or no longer keeps it: a missing interval
    /// file, "no data" for a window. Reported, not retried and not a failure (see ``SourceNotPublished``).
    case notPublished(String)
    /// Fetched and valid, nothing written (``PipelineOptions/dryRun``).
    case inspected(InspectedPayload)
}

/// What a dry run found for one valid candidate: what a real run would store, and where.
public struct InspectedPayload: Sendable, Equatable {
    public var candidate: String
    /// The natural storage key (a real run moves a snapshot to a hash-suffixed key only when a
    /// different object already holds this one; a revised document replaces it).
    public var key: String
    /// Bytes the stored object would have (the gzip body).
    public var size: Int
    /// Bytes of the raw payload.
    public var rawSize: Int
    /// SHA-256 hex of the raw payload.
    public var sha256: String
    /// The registry already has this content: a real run would skip it (unless `--force`).
    public var duplicate: Bool
    /// The raw payload (for `--output -`); not kept in the summary.
    public var content: Data

    public init(candidate: String, key: String, size: Int, rawSize: Int, sha256: String, duplicate: Bool, content: Data) {
        self.candidate = candidate
        self.key = key
        self.size = size
        self.rawSize = rawSize
        self.sha256 = sha256
        self.duplicate = duplicate
        self.content = content
    }

    /// One line of `scraper run --dry-run`.
    public func jsonObject(force: Bool) -> JSONObject {
        JSONObject([
            ("candidate", .string(candidate)), ("key", .string(key)), ("size", .int(size)), ("raw_size", .int(rawSize)),
            ("sha256", .string(sha256)), ("duplicate", .bool(duplicate)), ("would_store", .bool(force || !duplicate)),
        ])
    }
}
