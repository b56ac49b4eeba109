import Foundation
import Logging

/// Runs one collector's candidates through the shared stages, in the spec's order:
///
/// ```
///  candidates ─► collect ─► validate ─► SHA-256 ─► registry has it? ──yes──► skipped_duplicate
///                   │           │                        │ no (or --force)
///                   ▼           ▼                        ▼
///                 failed    _rejected/ + failed     claim ─► gzip ─► store ─► notify ─► register ─► collected
///                                                                              (non-fatal)
/// ```
///
/// The order is the safety invariant: a hash is registered only after its object is stored, so a
/// crash at any point leaves at worst an unregistered object that the next run re-stores
/// idempotently. One candidate's failure never stops the others.
public final class CollectionPipeline: @unchecked Sendable {
    public let name: String
    public let collector: any Collector
    public let services: PipelineServices
    public let http: any HTTPClient
    public let options: PipelineOptions
    public let metrics: PipelineMetrics
    public let cancellation: CancellationFlag
    public var logger: Logger
    /// Called after each candidate (done, total, outcome), from worker threads.
    public var onProgress: (@Sendable (_ done: Int, _ total: Int, _ outcome: CandidateOutcome) -> Void)?

    public init(name: String, collector: any Collector, services: PipelineServices, http: any HTTPClient,
                options: PipelineOptions = PipelineOptions(), logger: Logger, cancellation: CancellationFlag = CancellationFlag()) {
        self.name = name
        self.collector = collector
        self.services = services
        self.http = http
        self.options = options
        self.logger = logger
        self.cancellation = cancellation
        self.metrics = PipelineMetrics(collector: name, environment: services.registry.environment)
        self.logger[metadataKey: "collector"] = "\(name)"
    }

    /// Generates the request's candidates and processes them all.
    public func run(_ request: CollectionRequest) -> RunSummary {
        let candidates: [DownloadCandidate]
        do {
            candidates = try collector.candidates(for: request)
        } catch {
            logger.error("could not generate candidates: \(error)")
            return RunSummary.generationFailure(collector: name, error: "\(error)")
        }
        return run(candidates: candidates)
    }

    /// Processes already generated candidates, `options.concurrency` at a time.
    public func run(candidates: [DownloadCandidate]) -> RunSummary {
        let state = WorkerState(count: candidates.count)
        let group = DispatchGroup()
        let workers = min(options.concurrency, candidates.count)
        logger.info("processing \(candidates.count) candidate(s) with \(workers) worker(s)")
        for _ in 0..<workers {
            group.enter()
            let thread = Thread { [self] in
                defer { group.leave() }
                while let index = state.take(unless: cancellation) {
                    let outcome = process(candidates[index])
                    let finished = state.finish(index, outcome)
                    onProgress?(finished, candidates.count, outcome)
                }
            }
            thread.stackSize = 4 << 20
            thread.start()
        }
        group.wait()
        let outcomes = state.outcomes
        return summarize(candidates, outcomes)
    }

    private func summarize(_ candidates: [DownloadCandidate], _ outcomes: [CandidateOutcome]) -> RunSummary {
        var summary = RunSummary(collector: name)
        summary.totalCandidates = candidates.count
        summary.interrupted = cancellation.isCancelled
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
            case .notAttempted:
                summary.notAttempted += 1
                summary.errors.append(.init(candidate: candidate.identifier, error: "not attempted: the run was interrupted"))
            }
        }
        return summary
    }

    /// Takes one candidate through every stage and reports how it ended.
    public func process(_ candidate: DownloadCandidate) -> CandidateOutcome {
        var log = logger
        log[metadataKey: "candidate"] = "\(candidate.identifier)"
        let outcome = stages(candidate, log)
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
            break
        }
        return outcome
    }

    private func stages(_ candidate: DownloadCandidate, _ log: Logger) -> CandidateOutcome {
        // 1. Collect.
        let started = Date()
        let content: Data
        do {
            log.debug("fetching \(candidate.url)")
            content = try collector.collect(candidate, using: http)
        } catch {
            return .failed("fetch failed: \(error)", rejected: false)
        }
        FaultKillHook.after("fetch")
        metrics.apiResponse(seconds: Date().timeIntervalSince(started))
        metrics.bytesFetched(content.count)

        // 2. Validate, while SHA-256 and then gzip run beside it on the other core; the compression
        // is dropped if the payload is refused or turns out to be stored already.
        let prepared = PayloadPreparation(content, gzipLevel: options.gzipLevel)
        defer { prepared.cancel() }
        switch collector.validate(content, for: candidate) {
        case .invalid(let failure):
            prepared.cancel()
            metrics.validationFailure(rule: failure.rule)
            let kept = quarantine(content, sha: prepared.sha256(), candidate: candidate, failure: failure, log: log)
            return .failed(failure.description + (kept.map { " (payload kept at \($0))" } ?? ""), rejected: true)
        case .valid(let report):
            metrics.recordsPerSnapshot(report.recordCount)
            if let quality = report.dataQuality { metrics.snapshot(quality: quality) }
            log.debug("valid \(report.shape ?? "") payload with \(report.recordCount) record(s)")
        }

        // 3. Hash; 4. dedup, then claim so two runners never store the same content twice.
        let sha = prepared.sha256()
        let group = collector.datasetGroup
        let registry = services.registry
        do {
            if !options.force, try registry.exists(sha256: sha, datasetGroup: group) {
                return .skippedDuplicate(reason: "content \(sha.prefix(12)) already registered")
            }
            guard try registry.claim(sha256: sha, datasetGroup: group, ttl: options.claimTTL) else {
                return .skippedDuplicate(reason: "content \(sha.prefix(12)) is being stored by another runner")
            }
        } catch {
            return .failed("hash registry unavailable: \(error)", rejected: false)
        }
        defer {
            do { try registry.releaseClaim(sha256: sha, datasetGroup: group) } catch {
                log.warning("could not release claim on \(sha.prefix(12)) (it expires by itself): \(error)")
            }
        }
        do {
            if !options.force, try registry.exists(sha256: sha, datasetGroup: group) {
                return .skippedDuplicate(reason: "content \(sha.prefix(12)) was registered by another runner meanwhile")
            }
        } catch {
            return .failed("hash registry unavailable: \(error)", rejected: false)
        }

        // 5. Gzip; 6. store.
        let stored: StoredObject
        let identifier: String
        do {
            let body = try prepared.compressed()
            let uploadStarted = Date()
            (stored, identifier) = try store(body, sha: sha, candidate: candidate, log: log)
            metrics.storeUpload(seconds: Date().timeIntervalSince(uploadStarted))
            metrics.bytesStored(stored.size)
        } catch {
            return .failed("store failed: \(error)", rejected: false)
        }
        FaultKillHook.after("store")

        // 7. Notify (never fatal).
        var notificationFailed = false
        if let notifier = services.notifier {
            let message = NotificationMessage.make(
                dataset: group, environment: registry.environment, identifier: identifier, stored: stored,
                sourceURL: candidate.url, rawSize: content.count, rawSHA256: sha, candidateMetadata: candidate.metadata,
                additions: [
                    "stored_size": .int(stored.size),
                    "version_id": stored.versionID.map { .string($0) } ?? .null,
                    "collector_type": .string(type(of: collector).typeName),
                    "framework_version": .string(FrameworkVersion.current),
                ])
            do {
                try notifier.publish(message)
            } catch {
                notificationFailed = true
                metrics.notificationFailure()
                log.warning("notification failed (object is stored; continuing): \(error)")
            }
        }

        FaultKillHook.after("notify")

        // 8. Register, last.
        var metadata = candidate.metadata
        metadata["version_id"] = stored.versionID.map { .string($0) } ?? .null
        metadata["etag"] = stored.etag.map { .string($0) } ?? .null
        let record = RegistryRecord(location: stored.location, registeredAt: RegistryRecord.timestamp(), metadata: metadata)
        do {
            try registry.register(sha256: sha, datasetGroup: group, record: record, ttl: options.registryTTL)
        } catch {
            return .failed("stored \(stored.location) but could not register its hash (the next run re-stores it idempotently): \(error)", rejected: false)
        }
        FaultKillHook.after("register")
        return .collected(stored, notificationFailed: notificationFailed)
    }

    /// Stores under the natural key; when a different object already holds it (two snapshots in
    /// the same minute), stores under a key made distinct by the content hash instead.
    private func store(_ body: Data, sha: String, candidate: DownloadCandidate, log: Logger) throws -> (StoredObject, String) {
        var identifier = candidate.identifier
        for attempt in 0..<2 {
            let key = StorageKey.object(datasetGroup: collector.datasetGroup, date: candidate.partitionDate, identifier: identifier)
            let request = ObjectPutRequest(key: key, body: body, contentSHA256: sha, contentType: "application/gzip",
                                           metadata: ["source-url": candidate.url], replaceIdentical: options.force)
            do {
                return (try services.store.put(request), identifier)
            } catch ObjectStoreError.keyTaken where attempt == 0 {
                identifier = StorageKey.distinctIdentifier(candidate.identifier, sha256: sha)
                log.notice("\(key) holds different content; storing this one as \(identifier)")
            }
        }
        throw ObjectStoreError.failed("no free key for \(candidate.identifier)")
    }

    /// Keeps a refused payload under `_rejected/` with a reason file beside it; nil if that failed.
    private func quarantine(_ content: Data, sha: String, candidate: DownloadCandidate, failure: ValidationFailure, log: Logger) -> String? {
        guard options.quarantineRejected else { return nil }
        let identifier = StorageKey.distinctIdentifier(candidate.identifier, sha256: sha)
        let key = StorageKey.rejected(datasetGroup: collector.datasetGroup, date: candidate.partitionDate, identifier: identifier)
        var reason: JSONObject = [
            "rule": .string(failure.rule), "reason": .string(failure.reason),
            "record_index": failure.recordIndex.map { .int($0) } ?? .null,
            "field": failure.field.map { .string($0) } ?? .null,
            "values": .object(JSONObject(failure.values.keys.sorted().map { ($0, .string(failure.values[$0]!)) })),
            "source_url": .string(candidate.url), "sha256": .string(sha),
            "rejected_at": .string(RegistryRecord.timestamp()),
        ]
        reason["candidate"] = .string(candidate.identifier)
        do {
            let stored = try services.store.put(ObjectPutRequest(
                key: key, body: try Gzip.compress(content, level: options.gzipLevel), contentSHA256: sha,
                contentType: "application/gzip", metadata: ["rejection-rule": failure.rule]))
            let reasonData = Data(reason.serialized().utf8)
            _ = try services.store.put(ObjectPutRequest(
                key: String(key.dropLast(3)) + ".reason.json.gz", body: try Gzip.compress(reasonData),
                contentSHA256: ContentHash.sha256Hex(reasonData), contentType: "application/gzip"))
            log.warning("payload refused and kept at \(stored.location): \(failure)")
            return stored.location
        } catch {
            log.warning("payload refused; could not keep it under \(StorageKey.rejectedFolder)/: \(error)")
            return nil
        }
    }
}

/// Hands out candidate indexes to worker threads and collects their outcomes.
private final class WorkerState: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private var done = 0
    private(set) var outcomes: [CandidateOutcome]

    init(count: Int) {
        outcomes = Array(repeating: .notAttempted, count: count)
    }

    /// The next index to process, or nil when all are taken or the run was cancelled.
    func take(unless cancellation: CancellationFlag) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < outcomes.count, !cancellation.isCancelled else { return nil }
        next += 1
        return next - 1
    }

    /// Records an outcome; returns how many are finished.
    func finish(_ index: Int, _ outcome: CandidateOutcome) -> Int {
        lock.lock()
        defer { lock.unlock() }
        outcomes[index] = outcome
        done += 1
        return done
    }
}
