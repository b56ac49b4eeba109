import Crypto
import Foundation

/// An ``ObjectStore`` on S3 (or any S3-compatible endpoint), over the shared libcurl client with SigV4.
///
/// - `put` sends `If-None-Match: *` so it never replaces an object. When the key is taken (412) it reads the
///   existing object's `x-amz-meta-content-sha256`: the same hash is an idempotent success (re-stored
///   unconditionally when ``ObjectPutRequest/replaceIdentical``), another hash throws
///   ``ObjectStoreError/keyTaken(key:existingSHA256:)``.
/// - Each object carries `x-amz-meta-content-sha256` (SHA-256 of the raw content) and the request's metadata;
///   `Content-MD5` lets S3 reject a damaged body, and a plain 32-hex ETag is checked against the body's MD5.
/// - Transient failures are retried per ``S3Configuration/retry`` (``RetryPolicy/s3`` by default), waiting
///   with `pause` (``RetryPolicy/pause(_:)``, cancellable); the rest fail at once.
/// - Errors are ``ObjectStoreError`` whose messages come from ``S3Error`` and never contain secrets.
public final class S3ObjectStore: ObjectStore {
    public let configuration: S3Configuration
    let transport: S3Transport

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
                // A key deleted between our 412 and our HEAD is tried again, a few times at most.
                for _ in 0..<3 {
                    if let stored = try await send(upload, conditional: true) { return stored }
                    if let existing = try await head(key: request.key) {
                        return try await settleCollision(with: existing, upload: upload)
                    }
                }
                throw S3Error.keyUnstable(key: request.key)
            case .headThenPut:
                // Racy by design (see S3ConditionalWriteMode.headThenPut): a writer between HEAD and PUT loses.
                if let existing = try await head(key: request.key) {
                    return try await settleCollision(with: existing, upload: upload)
                }
                guard let stored = try await send(upload, conditional: false) else { throw S3Error.keyUnstable(key: request.key) }
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

    /// `HEAD` on the bucket; on failure, names the cause (missing bucket, wrong secret, unknown key, no permission).
    public func checkReachable() async throws {
        do {
            let location = "s3://\(configuration.bucket)"
            let response = try await transport.send(method: "HEAD", url: configuration.bucketURL,
                                              operation: "HEAD bucket", location: location)
            switch response.status {
            case 200..<300:
                return
            case 404:
                throw S3Error.bucketMissing(bucket: configuration.bucket, endpoint: configuration.endpointDescription,
                                            identity: configuration.identity)
            case 301, 307:
                throw transport.classify(response, operation: "HEAD bucket", location: location)
            default:
                // A HEAD answer has no body to say why; ask again with a GET that returns the error document.
                let probe = try await transport.send(method: "GET", url: configuration.bucketURL + "?location=",
                                               operation: "GET bucket location", location: location)
                let explained = (200..<300).contains(probe.status) ? response : probe
                throw transport.classify(explained, operation: "HEAD bucket", location: location)
            }
        } catch let error as S3Error {
            throw error.objectStoreError
        }
    }

    // MARK: - Steps

    /// What a HEAD tells about an object already at a key.
    struct ExistingObject {
        var contentSHA256: String?
        var etag: String?
        var versionID: String?
        var size: Int?
    }

    /// PUTs the object; nil when `conditional` and the key is already taken (412).
    private func send(_ upload: Upload, conditional: Bool) async throws -> StoredObject? {
        let key = upload.request.key
        let location = configuration.location(for: key)
        var headers = upload.headers
        if conditional { headers.append(("If-None-Match", "*")) }
        let response = try await transport.send(method: "PUT", url: upload.url, headers: headers, body: upload.request.body,
                                          operation: "PUT", location: location)
        switch response.status {
        case 200..<300:
            break
        case 412 where conditional:
            return nil
        case 501 where conditional:
            throw S3Error.conditionalWritesUnsupported(endpoint: configuration.endpointDescription, status: response.status)
        default:
            throw transport.classify(response, operation: "PUT", location: location)
        }

        guard let etag = response.headers["etag"].map(Self.unquoted), !etag.isEmpty else {
            throw S3Error.missingETag(key: key)
        }
        if configuration.verifyETag, Self.isPlainMD5(etag), etag.lowercased() != upload.md5Hex {
            throw S3Error.etagMismatch(key: key, etag: etag, md5: upload.md5Hex)
        }
        return StoredObject(key: key, location: location, versionID: response.headers["x-amz-version-id"],
                            etag: etag, size: upload.request.body.count)
    }

    /// HEADs `key`; nil when there is no object.
    private func head(key: String) async throws -> ExistingObject? {
        let location = configuration.location(for: key)
        let response = try await transport.send(method: "HEAD", url: try configuration.objectURL(for: key),
                                          operation: "HEAD", location: location)
        switch response.status {
        case 200..<300:
            return ExistingObject(contentSHA256: response.headers[S3MetadataHeaders.contentSHA256],
                                  etag: response.headers["etag"].map(Self.unquoted),
                                  versionID: response.headers["x-amz-version-id"],
                                  size: response.headers["content-length"].flatMap { Int($0) })
        case 404:
            return nil
        default:
            throw transport.classify(response, operation: "HEAD (checking the object already at the key)", location: location)
        }
    }

    /// Same content: idempotent success (or an unconditional re-put when forced). Different: keyTaken.
    private func settleCollision(with existing: ExistingObject, upload: Upload) async throws -> StoredObject {
        let request = upload.request
        guard let existingSHA = existing.contentSHA256,
              existingSHA.lowercased() == request.contentSHA256.lowercased() else {
            throw ObjectStoreError.keyTaken(key: request.key, existingSHA256: existing.contentSHA256)
        }
        if request.replaceIdentical {
            guard let stored = try await send(upload, conditional: false) else { throw S3Error.keyUnstable(key: request.key) }
            return stored
        }
        return StoredObject(key: request.key, location: configuration.location(for: request.key),
                            versionID: existing.versionID, etag: existing.etag,
                            size: existing.size ?? request.body.count)
    }

    static func unquoted(_ etag: String) -> String {
        var value = etag.trimmingCharacters(in: .whitespaces)
        if value.hasPrefix("W/") { value.removeFirst(2) }
        return value.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
    }

    static func isPlainMD5(_ etag: String) -> Bool {
        etag.utf8.count == 32 && etag.allSatisfy(\.isHexDigit)
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
    }
}
