import Foundation
import Logging

/// The stages after a hash is claimed: gzip (if the background compression did not finish),
/// store, notify (never fatal), register — and always give the claim back.
struct StoreStages: Sendable {
    let pipeline: CollectionPipeline
    let candidate: DownloadCandidate
    let payload: ReceivedPayload
    /// The gzip body produced beside the download, or nil when it has to be made now.
    let compressed: Data?
    let log: Logger

    func run() async -> CandidateOutcome {
        let sha = payload.sha256
        let group = pipeline.collector.datasetGroup
        let registry = pipeline.services.registry
        let outcome = await storeNotifyRegister()
        do { try await registry.releaseClaim(sha256: sha, datasetGroup: group) } catch {
            log.warning("could not release claim on \(sha.prefix(12)) (it expires by itself): \(error)")
        }
        return outcome
    }

    private func storeNotifyRegister() async -> CandidateOutcome {
        let options = pipeline.options
        let metrics = pipeline.metrics
        let sha = payload.sha256
        let group = pipeline.collector.datasetGroup
        let registry = pipeline.services.registry
        do {
            if !options.force, try await pipeline.isRegisteredDuplicate(candidate, sha256: sha) {
                return .skippedDuplicate(reason: "content \(sha.prefix(12)) was registered by another runner meanwhile")
            }
        } catch {
            return .failed("hash registry unavailable: \(error)", rejected: false)
        }

        // Gzip (when the background compression did not finish), then store.
        let stored: StoredObject
        let identifier: String
        do {
            let uploadStarted = ContinuousClock.now
            let body = try compressed ?? Gzip.compress(payload.content, level: options.gzipLevel)
            (stored, identifier) = try await store(body)
            metrics.storeUpload(seconds: CollectionPipeline.seconds(since: uploadStarted))
            metrics.bytesStored(stored.size)
        } catch {
            return .failed("store failed: \(error)", rejected: false)
        }
        pipeline.observer?(.store, candidate)

        // Notify (never fatal).
        var notificationFailed = false
        if let notifier = pipeline.services.notifier {
            let message = NotificationMessage.make(
                dataset: group, environment: registry.environment, identifier: identifier, stored: stored,
                sourceURL: candidate.url, rawSize: payload.content.count, rawSHA256: sha, candidateMetadata: candidate.metadata,
                additions: [
                    "stored_size": .int(stored.size),
                    "version_id": stored.versionID.map { .string($0) } ?? .null,
                    "collector_type": .string(type(of: pipeline.collector).typeName),
                    "framework_version": .string(FrameworkVersion.current),
                ])
            do {
                try await notifier.enqueue(message)  // delivery failures are counted by settle at the end of the run
            } catch {
                notificationFailed = true
                metrics.notificationFailure()
                log.warning("notification failed (object is stored; continuing): \(error)")
            }
        }
        pipeline.observer?(.notify, candidate)

        // Register, last.
        var metadata = candidate.metadata
        metadata["version_id"] = stored.versionID.map { .string($0) } ?? .null
        metadata["etag"] = stored.etag.map { .string($0) } ?? .null
        // An extra metadata key, which the Python framework's schema allows (it reads s3_path and registered_at).
        if let runID = options.runID { metadata["run_id"] = .string(runID) }
        let record = RegistryRecord(location: stored.location, registeredAt: RegistryRecord.timestamp(), metadata: metadata)
        do {
            try await registry.register(sha256: sha, datasetGroup: group, record: record, ttl: options.registryTTL)
        } catch {
            return .failed("stored \(stored.location) but could not register its hash (the next run re-stores it idempotently): \(error)", rejected: false)
        }
        pipeline.observer?(.register, candidate)
        return .collected(stored, notificationFailed: notificationFailed)
    }

    /// Stores under the natural key. When different content already holds it, the candidate's
    /// ``ChangedContentPolicy`` decides: a revised document replaces it (the store keeps the previous
    /// content), a snapshot (two in the same minute) goes under a key made distinct by its hash.
    private func store(_ body: Data) async throws -> (StoredObject, String) {
        let sha = payload.sha256
        let group = pipeline.collector.datasetGroup
        let replace = candidate.changedContent == .replacePrevious
        var identifier = candidate.identifier
        for attempt in 0..<2 {
            let key = StorageKey.object(datasetGroup: group, date: candidate.partitionDate, identifier: identifier)
            let request = ObjectPutRequest(key: key, body: body, contentSHA256: sha, contentType: "application/gzip",
                                           metadata: ["source-url": candidate.url], replaceIdentical: pipeline.options.force,
                                           replaceDifferent: replace)
            do {
                let stored = try await pipeline.services.store.put(request)
                if let replaced = stored.replaced {
                    log.notice("\(key) held older content; replaced it with \(sha.prefix(12)), the previous content is \(replaced)")
                    switch replaced {
                    case .historyCopy(_, let location, let previous):
                        await retireRecord(of: previous, from: stored.location, movedTo: location)
                    case .olderVersion(_, let previous?):
                        await retireRecord(of: previous, from: stored.location, movedTo: nil)
                    case .olderVersion(_, nil):
                        break
                    }
                }
                return (stored, identifier)
            } catch ObjectStoreError.keyTaken where attempt == 0 && !replace {
                identifier = StorageKey.distinctIdentifier(candidate.identifier, sha256: sha)
                log.notice("\(key) holds different content; storing this one as \(identifier)")
            }
        }
        throw ObjectStoreError.failed("no free key for \(candidate.identifier)")
    }

    /// Marks the registry record of the content this store replaced (when it named the key) as
    /// superseded, ``RegistryRecord/supersededKey``, and points it at its history copy when there is
    /// one, so `registry why` and readers of `s3_path` still find it, and a later rerun that fetches
    /// that content again (the source reverted) stores it at the key again. Never fatal.
    private func retireRecord(of previousSHA256: String, from oldLocation: String, movedTo newLocation: String?) async {
        let registry = pipeline.services.registry
        let group = pipeline.collector.datasetGroup
        do {
            guard var record = try await registry.get(sha256: previousSHA256, datasetGroup: group), record.location == oldLocation else { return }
            if let newLocation { record.location = newLocation }
            record.metadata[RegistryRecord.supersededKey] = .string(RegistryRecord.timestamp())
            try await registry.register(sha256: previousSHA256, datasetGroup: group, record: record, ttl: pipeline.options.registryTTL)
        } catch {
            log.warning("could not mark the registry record of \(previousSHA256.prefix(12)) as superseded (it still names \(oldLocation)): \(error)")
        }
    }
}

extension CollectionPipeline {
    /// Keeps a refused payload under `_rejected/` with a reason file beside it; nil if that failed.
    func quarantine(_ payload: ReceivedPayload, candidate: DownloadCandidate, failure: ValidationFailure, log: Logger) async -> String? {
        guard options.quarantineRejected else { return nil }
        let sha = payload.sha256
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
            let stored = try await services.store.put(ObjectPutRequest(
                key: key, body: try Gzip.compress(payload.content, level: options.gzipLevel), contentSHA256: sha,
                contentType: "application/gzip", metadata: ["rejection-rule": failure.rule]))
            let reasonData = Data(reason.serialized().utf8)
            _ = try await services.store.put(ObjectPutRequest(
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
