import Foundation

/// What one run of one collector did, in the Python framework's summary shape
/// (`total_candidates`, `collected`, `skipped_duplicate`, `failed`, `errors`) plus our additions.
public struct RunSummary: Sendable, Equatable {
    public struct CandidateError: Sendable, Equatable {
        public var candidate: String
        public var error: String
    }

    /// The configured collector name, e.g. `miso-cts`.
    public var collector: String
    public var totalCandidates = 0
    public var collected = 0
    public var skippedDuplicate = 0
    public var failed = 0
    public var errors: [CandidateError] = []
    /// Notifications that could not be delivered (never fatal).
    public var notificationFailures = 0
    /// Payloads refused by validation and kept under `_rejected/`.
    public var rejected = 0
    /// Candidates never started because the run was interrupted.
    public var notAttempted = 0
    /// Candidates the source has not published (yet): each with why (``SourceNotPublished``).
    public var notPublished: [CandidateError] = []
    public var interrupted = false
    /// Keys of the objects stored by this run.
    public var storedKeys: [String] = []
    /// A dry run (nothing written): the summary then says `"dry_run": true` and how many it would store.
    public var dryRun = false
    /// What a dry run found, in candidate order, without the payloads.
    public var inspected: [InspectedPayload] = []
    /// Of those, how many a real run would store.
    public var wouldStore = 0

    public init(collector: String) {
        self.collector = collector
    }

    /// A run whose candidates could not even be generated: zero counts, one `generation` error.
    public static func generationFailure(collector: String, error: String) -> RunSummary {
        var summary = RunSummary(collector: collector)
        summary.errors = [CandidateError(candidate: "generation", error: error)]
        return summary
    }

    /// True when nothing failed and nothing was left undone.
    public var succeeded: Bool { failed == 0 && notAttempted == 0 && !errors.contains { $0.candidate == "generation" } }

    public func jsonObject() -> JSONObject {
        JSONObject([
            ("total_candidates", .int(totalCandidates)),
            ("collected", .int(collected)),
            ("skipped_duplicate", .int(skippedDuplicate)),
            ("failed", .int(failed)),
            ("errors", .array(errors.map { .object(JSONObject([("candidate", .string($0.candidate)), ("error", .string($0.error))])) })),
            ("collector", .string(collector)),
            ("notification_failures", .int(notificationFailures)),
            ("rejected", .int(rejected)),
            ("not_attempted", .int(notAttempted)),
            ("not_published", .int(notPublished.count)),
            ("not_published_candidates", .array(notPublished.map { .object(JSONObject([("candidate", .string($0.candidate)), ("reason", .string($0.error))])) })),
            ("interrupted", .bool(interrupted)),
        ] + (dryRun ? [("dry_run", .bool(true)), ("would_store", .int(wouldStore))] : []))
    }

    public func json() -> String { jsonObject().serialized() }
}
