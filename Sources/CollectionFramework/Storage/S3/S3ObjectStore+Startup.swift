import Foundation

/// Whether the bucket keeps older versions of an overwritten object.
enum S3BucketVersioning: Equatable {
    case enabled
    /// Never enabled, or suspended (an overwrite then replaces the `null` version).
    case disabled
    /// `GetBucketVersioning` was refused (or the store lacks it): treated as unversioned. The message says why.
    case unknown(String)
}

/// The start-up checks, each of which needs a permission beyond `s3:PutObject`; a refusal is a warning.
extension S3ObjectStore {
    /// `HEAD` on the bucket; on failure, names the cause (missing bucket, wrong secret, unknown key).
    /// A refusal (no `s3:ListBucket`) is no failure: uploads need only `s3:PutObject`.
    public func checkReachable() async throws {
        _ = try await checkBucket()
    }

    /// The bucket check and the versioning question; warnings for the ones the credentials may not make.
    public func prepare() async throws -> [String] {
        var warnings: [String] = []
        if let refused = try await checkBucket() { warnings.append(refused) }
        if case .unknown(let why) = try await bucketVersioning() { warnings.append(why) }
        return warnings
    }

    /// Nil when the bucket answered; a warning when the credentials may not ask.
    func checkBucket() async throws -> String? {
        do {
            let location = "s3://\(configuration.bucket)"
            let response = try await transport.send(method: "HEAD", url: configuration.bucketURL,
                                              operation: "HEAD bucket", location: location)
            switch response.status {
            case 200..<300:
                return nil
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
                let error = transport.classify(explained, operation: "HEAD bucket", location: location)
                if case .accessDenied = error {
                    return "could not check s3://\(configuration.bucket) at start (\(configuration.identity) may not: grant s3:ListBucket "
                        + "to check it); continuing, since storing needs only s3:PutObject"
                }
                throw error
            }
        } catch let error as S3Error {
            throw error.objectStoreError
        }
    }

    /// Asks `GetBucketVersioning` once and remembers the answer.
    func bucketVersioning() async throws -> S3BucketVersioning {
        if let known = versioning.withLock({ $0 }) { return known }
        let location = "s3://\(configuration.bucket)"
        let answer: S3BucketVersioning
        do {
            // `versioning=` rather than `versioning`: libcurl signs the query as written, and S3 canonicalises the bare form so.
            let response = try await transport.send(method: "GET", url: configuration.bucketURL + "?versioning=",
                                                    operation: "GET bucket versioning", location: location)
            switch response.status {
            case 200:
                let status = S3XMLText.element("Status", in: String(decoding: response.body, as: UTF8.self))
                answer = status == "Enabled" ? .enabled : .disabled
            default:
                // Refused (no s3:GetBucketVersioning), or a store without the call: assume the safe case.
                let error = transport.classify(response, operation: "GET bucket versioning", location: location)
                let cause: String
                if case .accessDenied = error { cause = "grant s3:GetBucketVersioning" } else { cause = "\(error)" }
                answer = .unknown("could not read the versioning of s3://\(configuration.bucket) (\(cause)); "
                                  + "treating it as unversioned: newer content for a key copies the previous object to "
                                  + "\(StorageKey.prefix)/\(StorageKey.historyFolder)/ first, which needs s3:GetObject")
            }
        } catch let error as S3Error {
            throw error.objectStoreError
        }
        versioning.withLock { $0 = answer }
        return answer
    }
}
