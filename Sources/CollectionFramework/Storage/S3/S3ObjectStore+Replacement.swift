import Foundation

/// What a collision at a key comes to, and how newer content replaces older content without losing it.
extension S3ObjectStore {
    /// Same content: idempotent success (or an unconditional re-put when forced). Different content:
    /// keyTaken, or with `replaceDifferent` a replacement that keeps the previous content. Nil when the
    /// key changed while replacing it (the caller looks again).
    func settleCollision(with existing: ExistingObject, upload: Upload) async throws -> StoredObject? {
        let request = upload.request
        if let existingSHA = existing.contentSHA256, existingSHA == request.contentSHA256.lowercased() {
            if request.replaceIdentical {
                guard let stored = try await send(upload, condition: nil) else { throw S3Error.keyUnstable(key: request.key) }
                return stored
            }
            return StoredObject(key: request.key, location: configuration.location(for: request.key),
                                versionID: existing.versionID, etag: existing.etag,
                                size: existing.size ?? request.body.count)
        }
        guard request.replaceDifferent else {
            if let refused = existing.refused { throw refused }
            throw ObjectStoreError.keyTaken(key: request.key, existingSHA256: existing.contentSHA256)
        }
        return try await replace(existing, upload: upload)
    }

    /// Versioned bucket: overwrite (S3 keeps the previous version). Otherwise: copy the previous object
    /// to its history key, then overwrite it, on condition that it is still the object copied.
    private func replace(_ existing: ExistingObject, upload: Upload) async throws -> StoredObject? {
        let key = upload.request.key
        // Conditions only where the store has conditional writes; the ETag is unknown when the HEAD was refused.
        let unchanged = configuration.conditionalWrites == .ifNoneMatch ? existing.etag.map { WriteCondition.matching(etag: $0) } : nil
        if case .enabled = try await bucketVersioning() {
            guard var stored = try await send(upload, condition: unchanged) else { return nil }
            stored.replaced = .olderVersion(versionID: existing.versionID, previousSHA256: existing.contentSHA256)
            return stored
        }
        guard let previousSHA = existing.contentSHA256 ?? existing.storedBytesSHA256 else {
            throw S3Error.cannotKeepPrevious(
                key: key, reason: "the bucket is not versioned (or its versioning may not be read) and the object there may not be read "
                    + "to copy it to \(StorageKey.historyFolder)/; grant s3:GetObject, or s3:GetBucketVersioning on a versioned bucket")
        }
        let historyKey = StorageKey.history(of: key, previousSHA256: previousSHA)
        guard try await copy(key, to: historyKey, ifMatch: existing.etag) else { return nil }
        guard var stored = try await send(upload, condition: unchanged) else { return nil }
        stored.replaced = .historyCopy(key: historyKey, location: configuration.location(for: historyKey), previousSHA256: previousSHA)
        return stored
    }

    /// CopyObject `source` → `destination` (metadata copied, encryption as configured); false when the
    /// source no longer has `ifMatch` as its ETag.
    private func copy(_ source: String, to destination: String, ifMatch etag: String?) async throws -> Bool {
        let location = configuration.location(for: destination)
        let operation = "COPY (keeping the previous \(source) before replacing it)"
        var headers = [("x-amz-copy-source", "/" + S3Configuration.encodePathSegment(configuration.bucket) + "/"
                        + S3Configuration.encodeKeyPath(source))]
        if let etag { headers.append(("x-amz-copy-source-if-match", "\"\(etag)\"")) }
        headers += configuration.serverSideEncryption?.headers ?? []
        let response = try await transport.send(method: "PUT", url: try configuration.objectURL(for: destination), headers: headers,
                                                operation: operation, location: location)
        switch response.status {
        case 412:
            return false
        case 200..<300:
            // A copy can fail after its 200 has been sent: the error is then the body.
            let document = S3ErrorDocument(body: response.body)
            if let code = document.code {
                throw S3Error.serverBusy(operation: operation, location: location, status: response.status, code: code, attempts: 1)
            }
            return true
        default:
            throw transport.classify(response, operation: operation, location: location)
        }
    }
}
