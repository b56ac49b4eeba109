import Foundation
import Logging

/// What a candidate does when another runner holds the claim on its hash.
///
/// Counting it a duplicate at once would lose the snapshot if that runner then fails: nobody
/// stores it and both runs exit 0. So the candidate waits, bounded by
/// ``PipelineOptions/claimWait``, looking every ``PipelineOptions/claimPollInterval``:
/// - the hash got registered: a real duplicate (`skipped_duplicate`);
/// - the claim is free again (its holder gave up) and this runner won it: store it here;
/// - the wait is over and the hash still is not registered: failed, so the run exits non-zero and
///   is retried, and the next try finds the hash registered or the claim free.
struct ClaimWait {
    let pipeline: CollectionPipeline
    let candidate: DownloadCandidate
    let sha256: String
    let log: Logger

    /// Nil when this runner now holds the claim (go on and store); otherwise the outcome.
    /// Registry errors are thrown.
    func awaitOtherRunner() async throws -> CandidateOutcome? {
        let options = pipeline.options
        let registry = pipeline.services.registry
        let group = pipeline.collector.datasetGroup
        let short = sha256.prefix(12)
        log.info("content \(short) is being stored by another runner; waiting up to \(options.claimWait) s for it")
        let started = ContinuousClock.now
        while true {
            if try await pipeline.isRegisteredDuplicate(candidate, sha256: sha256) {
                return .skippedDuplicate(reason: "content \(short) was stored and registered by another runner")
            }
            if try await registry.claim(sha256: sha256, datasetGroup: group, ttl: options.claimTTL) {
                log.notice("the other runner gave content \(short) up unregistered; storing it here")
                return nil
            }
            let waited = CollectionPipeline.seconds(since: started)
            guard waited < options.claimWait else { break }
            do {
                try await RetryPolicy.pause(min(options.claimPollInterval, max(0, options.claimWait - waited)))
            } catch {
                break  // the run is stopping: report what is known now
            }
        }
        return .failed("content \(short) was claimed by another runner that has neither registered it nor released its claim "
                       + "after \(options.claimWait) s; not stored here (retryable: rerun once that runner has finished or its claim has expired)",
                       rejected: false)
    }
}
