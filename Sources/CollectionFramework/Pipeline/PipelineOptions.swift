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
    /// How often a download whose body breaks off is tried again (the HTTP client itself retries
    /// failures before the body starts).
    public var retryPolicy: RetryPolicy

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

    public init(store: any ObjectStore, registry: any HashRegistry, notifier: (any Notifier)? = nil) {
        self.store = store
        self.registry = registry
        self.notifier = notifier
    }
}

/// How one candidate ended.
public enum CandidateOutcome: Sendable, Equatable {
    case collected(StoredObject, notificationFailed: Bool)
    case skippedDuplicate(reason: String)
    case failed(String, rejected: Bool)
    /// Never started because the run was interrupted.
    case notAttempted
}
