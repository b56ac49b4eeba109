import Foundation
import Logging

/// Runs one collector's candidates through the shared stages, in the spec's order:
///
/// ```
///                   ┌─► SHA-256 (as chunks arrive)
///  candidates ─► collect (stream) ─► gzip (child task, beside the download and validation)
///                   │  └─► validate ─► registry has it? ──yes──► skipped_duplicate
///                   ▼           │                  │ no (or --force)
///                 failed    _rejected/ + failed    claim ─► store ─► notify ─► register ─► collected
///                                                                   (non-fatal)
/// ```
///
/// The order is the safety invariant: a hash is registered only after its object is stored, so a
/// crash at any point leaves at worst an unregistered object that the next run re-stores
/// idempotently. One candidate's failure never stops the others.
///
/// Concurrency: ``run(candidates:)`` processes candidates in a task group, at most
/// ``PipelineOptions/concurrency`` at once. Cancelling the calling task is how a run stops
/// (SIGINT/SIGTERM): no new candidate starts (those are reported `not_attempted`), and the
/// candidates in flight finish: a transfer or a store under way runs to its end, while every
/// wait (backoff, rate limit, reconnect) ends at once and gives up with its last error.
public final class CollectionPipeline: Sendable {
    public let name: String
    public let collector: any Collector
    public let services: PipelineServices
    public let http: any HTTPClient
    public let options: PipelineOptions
    public let metrics: PipelineMetrics
    public let logger: Logger
    /// Called after each candidate (done, total, outcome).
    public let onProgress: (@Sendable (_ done: Int, _ total: Int, _ outcome: CandidateOutcome) -> Void)?
    /// Told after each stage of each candidate (tests inject crashes here).
    public let observer: PipelineObserver?

    public init(name: String, collector: any Collector, services: PipelineServices, http: any HTTPClient,
                options: PipelineOptions = PipelineOptions(), logger: Logger,
                onProgress: (@Sendable (_ done: Int, _ total: Int, _ outcome: CandidateOutcome) -> Void)? = nil,
                observer: PipelineObserver? = nil) {
        self.name = name
        self.collector = collector
        self.services = services
        self.http = http
        self.options = options
        var logger = logger
        logger[metadataKey: "collector"] = "\(name)"
        self.logger = logger
        self.onProgress = onProgress
        self.observer = observer
        self.metrics = PipelineMetrics(collector: name, environment: services.registry.environment)
    }

    /// Generates the request's candidates and processes them all.
    public func run(_ request: CollectionRequest) async -> RunSummary {
        let candidates: [DownloadCandidate]
        do {
            candidates = try collector.candidates(for: request)
        } catch {
            logger.error("could not generate candidates: \(error)")
            return RunSummary.generationFailure(collector: name, error: "\(error)")
        }
        return await run(candidates: candidates)
    }

    /// Processes already generated candidates, `options.concurrency` at a time, in a task group.
    public func run(candidates: [DownloadCandidate]) async -> RunSummary {
        var outcomes = Array(repeating: CandidateOutcome.notAttempted, count: candidates.count)
        let workers = min(options.concurrency, candidates.count)
        logger.info("processing \(candidates.count) candidate(s) with \(workers) worker(s)")
        await withTaskGroup(of: (Int, CandidateOutcome).self) { group in
            var next = 0
            var done = 0
            while next < workers {
                let index = next
                group.addTask { (index, await self.process(candidates[index])) }
                next += 1
            }
            while let (index, outcome) = await group.next() {
                outcomes[index] = outcome
                done += 1
                onProgress?(done, candidates.count, outcome)
                if next < candidates.count, !Task.isCancelled {
                    let index = next
                    group.addTask { (index, await self.process(candidates[index])) }
                    next += 1
                }
            }
        }
        var summary = summarize(candidates, outcomes, interrupted: Task.isCancelled)
        await settleNotifications(into: &summary)
        return summary
    }

    /// The run's one bounded wait for its notifications' delivery reports; each failure is logged
    /// and counted (metric and summary), never fatal.
    private func settleNotifications(into summary: inout RunSummary) async {
        guard let notifier = services.notifier, !options.dryRun else { return }
        let settlement = await notifier.settle(dataset: collector.datasetGroup)
        guard settlement.total > 0 else { return }
        summary.notificationFailures += settlement.total
        for _ in 0..<settlement.total { metrics.notificationFailure() }
        logger.warning("\(settlement.total) notification(s) were not delivered (the objects are stored and registered): \(settlement.lastError ?? "no report")")
    }

    private func summarize(_ candidates: [DownloadCandidate], _ outcomes: [CandidateOutcome], interrupted: Bool) -> RunSummary {
        var summary = RunSummary(collector: name)
        summary.dryRun = options.dryRun
        summary.totalCandidates = candidates.count
        summary.interrupted = interrupted || outcomes.contains(.notAttempted)
        for (candidate, outcome) in zip(candidates, outcomes) {
            switch outcome {
            case .collected(let stored, let notificationFailed):
                summary.collected += 1
                summary.storedKeys.append(stored.key)
                if notificationFailed { summary.notificationFailures += 1 }
            case .skippedDuplicate:
                summary.skippedDuplicate += 1
            case .failed(let message, let rejected):
                summary.failed += 1
                if rejected { summary.rejected += 1 }
                summary.errors.append(.init(candidate: candidate.identifier, error: message))
            case .notPublished(let reason):
                summary.notPublished.append(.init(candidate: candidate.identifier, error: reason))
            case .notAttempted:
                summary.notAttempted += 1
                summary.errors.append(.init(candidate: candidate.identifier, error: "not attempted: the run was interrupted"))
            case .inspected(var payload):
                if payload.duplicate { summary.skippedDuplicate += 1 }
                if options.force || !payload.duplicate { summary.wouldStore += 1 }
                payload.content = Data()
                summary.inspected.append(payload)
            }
        }
        return summary
    }

    /// Takes one candidate through every stage and reports how it ended.
    public func process(_ candidate: DownloadCandidate) async -> CandidateOutcome {
        var log = logger
        log[metadataKey: "candidate"] = "\(candidate.identifier)"
        if Task.isCancelled { return .notAttempted }
        let outcome = await stages(candidate, log)
        switch outcome {
        case .collected(let stored, _):
            metrics.candidate("collected")
            metrics.lastSuccess()
            log.info("stored \(stored.location) (\(stored.size) bytes)")
        case .skippedDuplicate(let reason):
            metrics.candidate("skipped_duplicate")
            metrics.lastSuccess()
            log.info("skipped: \(reason)")
        case .failed(let message, _):
            metrics.candidate("failed")
            log.error("failed: \(message)")
        case .notAttempted:
            log.info("not attempted: the run was interrupted")
        case .notPublished(let reason):
            metrics.candidate("not_published")
            log.warning("not published: \(reason)")
        case .inspected(let payload):
            log.info("dry run: would \(options.force || !payload.duplicate ? "store" : "skip (duplicate)") \(payload.key) (\(payload.size) bytes)")
        }
        return outcome
    }

    private func stages(_ candidate: DownloadCandidate, _ log: Logger) async -> CandidateOutcome {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await attemptStages(candidate, log)
            } catch is CancellationError {
                return .notAttempted
            } catch let interrupted as BodyInterrupted where interrupted.underlying.isTransient && attempt < options.retryPolicy.maxAttempts {
                let error = interrupted
                // The head arrived but the body broke off: the whole download starts over.
                let delay = options.retryPolicy.delay(afterAttempt: attempt, retryAfter: nil)
                log.debug("attempt \(attempt) of \(options.retryPolicy.maxAttempts) for \(candidate.url) failed (\(error.underlying)); retrying in \(String(format: "%.2f", delay))s")
                metrics.retry()
                do { try await RetryPolicy.pause(delay) } catch _ {
                    log.warning("giving up on \(candidate.url) after \(attempt) attempt(s), the run is stopping: \(error.underlying)")
                    return .failed("fetch failed: \(error.underlying)", rejected: false)
                }
            } catch let error as BodyInterrupted {
                log.warning("giving up on \(candidate.url) after \(attempt) attempt(s): \(error.underlying)")
                return .failed("fetch failed: \(error.underlying)", rejected: false)
            } catch let missing as SourceNotPublished {
                return .notPublished(missing.reason)
            } catch {
                if Task.isCancelled { return .notAttempted }
                return .failed("fetch failed: \(error)", rejected: false)
            }
        }
    }

    /// One try at a candidate: download (hashing and compressing as it arrives), validate, dedup,
    /// then the shielded store stages. Throws only for the download (``BodyInterrupted`` when the
    /// body broke off after its head) and for cancellation before the hash is claimed.
    private func attemptStages(_ candidate: DownloadCandidate, _ log: Logger) async throws -> CandidateOutcome {
        var candidate = candidate
        // 1. Collect, with SHA-256 and gzip as the chunks arrive.
        // The API's time excludes this download's rate-limit and backoff waits (their own histogram).
        let started = ContinuousClock.now
        let waits = HTTPWaitAccount()
        log.debug("fetching \(candidate.url)")
        let stream = try await HTTPWaitAccount.$current.withValue(waits) { try await collector.collect(candidate, using: http) }
        let (chunks, feed) = AsyncStream<Data>.makeStream()
        async let compression = PayloadIntake.compress(chunks, level: options.gzipLevel, expectedInput: stream.expectedLength)
        var validator = collector.streamingValidator(for: candidate)
        let payload: ReceivedPayload
        let earlyRefusal: ValidationFailure?
        do {
            (payload, earlyRefusal) = try await PayloadIntake.read(stream, into: feed, validator: &validator)
        } catch let error as HTTPError {
            throw BodyInterrupted(underlying: error)
        }
        observer?(.fetch, candidate)
        metrics.apiResponse(seconds: Self.seconds(since: started) - Self.seconds(waits.waited))
        metrics.bytesFetched(payload.content.count)

        // 2. Validate (gzip goes on beside it); a refused payload is quarantined, never registered.
        let verdict: ValidationResult
        if let earlyRefusal {
            verdict = .invalid(earlyRefusal)
        } else if validator != nil {
            verdict = validator!.finish()
        } else {
            verdict = collector.validate(payload.content, for: candidate)
        }
        switch verdict {
        case .invalid(let failure):
            metrics.validationFailure(rule: failure.rule)
            if options.dryRun { return .failed(failure.description, rejected: true) }
            let kept = await quarantine(payload, candidate: candidate, failure: failure, log: log)
            return .failed(failure.description + (kept.map { " (payload kept at \($0))" } ?? ""), rejected: true)
        case .valid(let report):
            metrics.recordsPerSnapshot(report.recordCount)
            metrics.snapshot(labels: report.labels)
            if !report.warnings.isEmpty {
                for warning in report.warnings { metrics.validationWarning(rule: warning.rule) }
                candidate.metadata[ValidationWarning.metadataKey] = ValidationWarning.metadata(report.warnings)
                log.info("stored despite warning rule(s): \(report.warnings.map { "\($0.rule) ×\($0.count), first: \($0.first)" }.joined(separator: "; "))")
            }
            log.debug("valid \(report.shape ?? "") payload with \(report.recordCount) record(s)")
        }

        // 3. Dedup on the hash, then claim it so two runners never store the same content twice.
        let sha = payload.sha256
        let group = collector.datasetGroup
        let registry = services.registry
        if options.dryRun {
            let body = try? await compression
            return await inspect(candidate, payload, compression: body ?? nil)
        }
        do {
            if !options.force, try await isRegisteredDuplicate(candidate, sha256: sha) {
                return .skippedDuplicate(reason: "content \(sha.prefix(12)) already registered")
            }
            let won = try await registry.claim(sha256: sha, datasetGroup: group, ttl: options.claimTTL)
            if !won, let outcome = try await ClaimWait(pipeline: self, candidate: candidate, sha256: sha, log: log).awaitOtherRunner() {
                return outcome
            }
        } catch {
            return .failed("hash registry unavailable: \(error)", rejected: false)
        }

        // 4. Store, notify, register (and give the claim back).
        let body = try? await compression
        return await StoreStages(pipeline: self, candidate: candidate, payload: payload, compressed: body ?? nil, log: log).run()
    }

    /// The dry run's last stage: asks the registry (read only) and reports what would be stored.
    private func inspect(_ candidate: DownloadCandidate, _ payload: ReceivedPayload, compression: Data?) async -> CandidateOutcome {
        let duplicate: Bool
        do {
            duplicate = try await isRegisteredDuplicate(candidate, sha256: payload.sha256)
        } catch {
            return .failed("hash registry unavailable: \(error)", rejected: false)
        }
        let size: Int
        do {
            size = try (compression ?? Gzip.compress(payload.content, level: options.gzipLevel)).count
        } catch {
            return .failed("gzip failed: \(error)", rejected: false)
        }
        let key = StorageKey.object(datasetGroup: collector.datasetGroup, date: candidate.partitionDate, identifier: candidate.identifier)
        return .inspected(InspectedPayload(candidate: candidate.identifier, key: key, size: size, rawSize: payload.content.count,
                                           sha256: payload.sha256, duplicate: duplicate, content: payload.content))
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        seconds(ContinuousClock.now - start)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// A download whose head arrived but whose body broke off: worth starting the download over.
struct BodyInterrupted: Error {
    var underlying: HTTPError
}
