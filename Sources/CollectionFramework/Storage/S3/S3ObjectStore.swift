import Crypto
import Foundation
import Synchronization

/// An ``ObjectStore`` on S3 (or any S3-compatible endpoint), over the shared libcurl client with SigV4.
///
/// - `put` sends `If-None-Match: *` so it never replaces an object by accident. When the key is taken (412)
///   it learns the existing object's content hash from `x-amz-meta-content-sha256`, or, for an object
///   without it (the Python collectors write none), by reading and hashing it. The same hash is an
///   idempotent success (re-stored unconditionally when ``ObjectPutRequest/replaceIdentical``); another
///   hash throws ``ObjectStoreError/keyTaken(key:existingSHA256:)``, or with
///   ``ObjectPutRequest/replaceDifferent`` is replaced (see `S3ObjectStore+Replacement.swift`).
/// - Each object carries `x-amz-meta-content-sha256` (SHA-256 of the raw content), the request's metadata
///   and the configured encryption (``S3Configuration/serverSideEncryption``); `Content-MD5` lets S3 reject
///   a damaged body. The ETag is recorded, never compared with the MD5 (with SSE-KMS it is not one).
/// - Only `s3:PutObject` is required. The start-up check (``prepare()``) warns instead of failing when
///   the credentials may not check the bucket (`s3:ListBucket`) or read its versioning
///   (`s3:GetBucketVersioning`).
/// - Transient failures are retried per ``S3Configuration/retry`` (``RetryPolicy/s3`` by default), waiting
///   with `pause` (``RetryPolicy/pause(_:)``, cancellable); the rest fail at once.
/// - Errors are ``ObjectStoreError`` whose messages come from ``S3Error`` and never contain secrets.
public final class S3ObjectStore: ObjectStore {
    public let configuration: S3Configuration
    let transport: S3Transport
    /// The bucket's versioning, asked once (at start or at the first replacement).
    let versioning = Mutex<S3BucketVersioning?>(nil)

    /// - Parameters:
    ///   - pause: waits between retries (tests pass one that records instead of sleeping).
    ///   - random: the jitter, a number in the given range (tests pass one that picks the top).
    public init(configuration: S3Configuration, client: any HTTPClient = CurlHTTPClient(),
                pause: @escaping @Sendable (Double) async throws -> Void = { try await RetryPolicy.pause($0) },
                random: @escaping @Sendable (ClosedRange<Double>) -> Double = { Double.random(in: $0) }) {
        self.configuration = configuration
        self.transport = S3Transport(configuration: configuration, client: client, pause: pause, random: random)
    }

    /// e.g. `s3://bucket (endpoint http://127.0.0.1:5000, region us-east-1)`.
    public var displayName: String {
        "s3://\(configuration.bucket) (endpoint \(configuration.endpointDescription), region \(configuration.region))"
    }

    public func put(_ request: ObjectPutRequest) async throws -> StoredObject {
        do {
            let upload = try Upload(request: request, configuration: configuration)
            switch configuration.conditionalWrites {
            case .ifNoneMatch:
                // A key deleted or replaced between our 412 and our next step is tried again, a few times at most.
                for _ in 0..<3 {
                    if let stored = try await send(upload, condition: .absent) { return stored }
                    if let existing = try await inspect(key: request.key, afterConflict: true),
                       let stored = try await settleCollision(with: existing, upload: upload) {
                        return stored
                    }
                }
                throw S3Error.keyUnstable(key: request.key)
            case .headThenPut:
                // Racy by design (see S3ConditionalWriteMode.headThenPut): a writer between HEAD and PUT loses.
                if let existing = try await inspect(key: request.key, afterConflict: false) {
                    guard let stored = try await settleCollision(with: existing, upload: upload) else {
                        throw S3Error.keyUnstable(key: request.key)
                    }
                    return stored
                }
                guard let stored = try await send(upload, condition: nil) else { throw S3Error.keyUnstable(key: request.key) }
                return stored
            }
        } catch let error as S3Error {
            throw error.objectStoreError
        }
    }

    public func get(key: String) async throws -> Data? {
        do {
            let location = configuration.location(for: key)
            let response = try await transport.send(method: "GET", url: try configuration.objectURL(for: key),
                                              operation: "GET", location: location)
            switch response.status {
            case 200: return response.body
            case 404 where S3ErrorDocument(body: response.body).code != "NoSuchBucket": return nil
            default: throw transport.classify(response, operation: "GET", location: location)
            }
        } catch let error as S3Error {
            throw error.objectStoreError
        }
    }

    // MARK: - Steps

    /// What is known about an object already at a key.
    struct ExistingObject {
        /// SHA-256 of the raw content: from the metadata, else from reading the object; nil when unknown.
        var contentSHA256: String?
        /// SHA-256 of the stored bytes, when they were read but are not gzip.
        var storedBytesSHA256: String?
        var etag: String?
        var versionID: String?
        var size: Int?
        /// The HEAD was refused (no `s3:GetObject`): nothing is known but that the key is taken.
        var refused: S3Error?
    }

    /// The precondition of a PUT.
    enum WriteCondition {
        /// `If-None-Match: *`: only when the key is free.
        case absent
        /// `If-Match: "etag"`: only when the key still holds this object.
        case matching(etag: String)
    }

    /// PUTs the object; nil when the `condition` did not hold (412).
    func send(_ upload: Upload, condition: WriteCondition?) async throws -> StoredObject? {
        let key = upload.request.key
        let location = configuration.location(for: key)
        var headers = upload.headers
        switch condition {
        case .absent: headers.append(("If-None-Match", "*"))
        case .matching(let etag): headers.append(("If-Match", "\"\(etag)\""))
        case nil: break
        }
        let response = try await transport.send(method: "PUT", url: upload.url, headers: headers, body: upload.request.body,
                                          operation: "PUT", location: location)
        switch response.status {
        case 200..<300:
            break
        case 412 where condition != nil:
            return nil
        case 501 where condition != nil:
            throw S3Error.conditionalWritesUnsupported(endpoint: configuration.endpointDescription, status: response.status)
        default:
            throw transport.classify(response, operation: "PUT", location: location)
        }

        // Not compared with the body's MD5: with SSE-KMS (and multipart uploads) it is not one, and
        // Content-MD5 already made S3 refuse a damaged body.
        guard let etag = response.headers["etag"].map(Self.unquoted), !etag.isEmpty else {
            throw S3Error.missingETag(key: key)
        }
        return StoredObject(key: key, location: location, versionID: response.headers["x-amz-version-id"],
                            etag: etag, size: upload.request.body.count)
    }

    /// HEADs `key` (and reads it when its metadata has no content hash); nil when there is no object.
    /// After a 412 (`afterConflict`) a refused HEAD is reported in ``ExistingObject/refused``, else thrown.
    private func inspect(key: String, afterConflict: Bool) async throws -> ExistingObject? {
        let location = configuration.location(for: key)
        let operation = "HEAD (checking the object already at the key)"
        let response = try await transport.send(method: "HEAD", url: try configuration.objectURL(for: key),
                                          operation: operation, location: location)
        switch response.status {
        case 200..<300:
            var existing = ExistingObject(contentSHA256: response.headers[S3MetadataHeaders.contentSHA256]?.lowercased(),
                                          etag: response.headers["etag"].map(Self.unquoted),
                                          versionID: response.headers["x-amz-version-id"],
                                          size: response.headers["content-length"].flatMap { Int($0) })
            if existing.contentSHA256 == nil, let body = try await readForHashing(key: key) {
                // No hash in the metadata (an object the Python collectors wrote): hash what is there.
                if let raw = try? Gzip.decompress(body) {
                    existing.contentSHA256 = ContentHash.sha256Hex(raw)
                } else {
                    existing.storedBytesSHA256 = ContentHash.sha256Hex(body)
                }
            }
            return existing
        case 404:
            return nil
        case 403 where afterConflict:
            return ExistingObject(refused: transport.classify(response, operation: operation + " (s3:GetObject)", location: location))
        default:
            throw transport.classify(response, operation: operation, location: location)
        }
    }

    /// GETs `key` to hash it; nil when it vanished or reading it is refused.
    private func readForHashing(key: String) async throws -> Data? {
        let location = configuration.location(for: key)
        let response = try await transport.send(method: "GET", url: try configuration.objectURL(for: key),
                                          operation: "GET (hashing the object already at the key)", location: location)
        switch response.status {
        case 200: return response.body
        case 403, 404: return nil
        default: throw transport.classify(response, operation: "GET (hashing the object already at the key)", location: location)
        }
    }

    static func unquoted(_ etag: String) -> String {
        var value = etag.trimmingCharacters(in: .whitespaces)
        if value.hasPrefix("W/") { value.removeFirst(2) }
        return value.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
    }
}

/// One PUT's URL, headers and digests, computed once and reused by retries and re-puts.
struct Upload {
    let request: ObjectPutRequest
    let url: String
    let md5Hex: String
    let headers: [(String, String)]

    init(request: ObjectPutRequest, configuration: S3Configuration) throws {
        self.request = request
        url = try configuration.objectURL(for: request.key)
        let md5 = Insecure.MD5.hash(data: request.body)
        md5Hex = S3Transport.hex(md5)
        let contentType = request.key.hasSuffix(".gz") ? "application/gzip" : request.contentType
        headers = [("Content-Type", contentType), ("Content-MD5", Data(md5).base64EncodedString())]
            + S3MetadataHeaders.headers(contentSHA256: request.contentSHA256, metadata: request.metadata)
            + (configuration.serverSideEncryption?.headers ?? [])
    }
}
