/// What went wrong talking to S3, phrased for the person who has to fix it.
///
/// ``S3ObjectStore`` throws these wrapped in ``ObjectStoreError`` (`.failed` or, for
/// ``isTransient`` cases, `.transient`), so callers of the ``ObjectStore`` protocol see one error type.
/// Messages never contain the secret access key or the session token.
public enum S3Error: Error, Equatable, CustomStringConvertible {
    /// The bucket is not there. `identity` is e.g. `profile localstack` or `credentials from environment`.
    case bucketMissing(bucket: String, endpoint: String, identity: String)
    /// The server computed a different signature: wrong secret key (or region, or a clock far off).
    case signatureMismatch(accessKeyID: String, endpoint: String, region: String, identity: String)
    /// The server does not know the access key ID.
    case unknownAccessKey(accessKeyID: String, endpoint: String, identity: String)
    /// The credentials are valid but not allowed to do this.
    case accessDenied(operation: String, location: String, identity: String, detail: String)
    /// The session token is expired or invalid.
    case badSessionToken(code: String, identity: String)
    /// The bucket lives in another region than the one signed for.
    case wrongRegion(bucket: String, configured: String, actual: String?)
    /// The store stored the object but sent no ETag back.
    case missingETag(key: String)
    /// The store refused `If-None-Match: *`.
    case conditionalWritesUnsupported(endpoint: String, status: Int)
    /// The key cannot be sent as a URL path.
    case invalidKey(key: String, reason: String)
    /// The same key kept appearing and disappearing while we tried to store it.
    case keyUnstable(key: String)
    /// Newer content would replace an object whose previous content cannot be kept.
    case cannotKeepPrevious(key: String, reason: String)
    /// Any other unexpected answer. `code`/`message` come from the S3 error document when there is one.
    case unexpectedStatus(operation: String, location: String, status: Int, code: String?, message: String?)
    /// Throttling or a server error that persisted through every retry.
    case serverBusy(operation: String, location: String, status: Int, code: String?, attempts: Int)
    /// The HTTP exchange failed in a way retrying cannot fix (TLS, invalid URL, response too large).
    case transport(operation: String, location: String, detail: String)
    /// The connection failed (refused, reset, timed out) on every attempt.
    case unreachable(operation: String, endpoint: String, detail: String, attempts: Int)
    /// Temporary credentials expired and could not be refreshed (STS, the container endpoint or instance
    /// metadata failed): transient, the next attempt asks again.
    case credentialsUnavailable(operation: String, location: String, detail: String)

    /// Whether trying again later may help.
    public var isTransient: Bool {
        switch self {
        case .serverBusy, .unreachable, .keyUnstable, .credentialsUnavailable: return true
        default: return false
        }
    }

    /// This error as the storage protocol's error.
    public var objectStoreError: ObjectStoreError {
        isTransient ? .transient(description) : .failed(description)
    }

    public var description: String {
        switch self {
        case .bucketMissing(let bucket, let endpoint, let identity):
            return "bucket \(bucket) does not exist at \(endpoint) (\(identity)): create it or fix --s3-bucket"
        case .signatureMismatch(let key, let endpoint, let region, let identity):
            return "S3 at \(endpoint) rejected the request signature for access key \(key) (\(identity)): "
                + "the secret access key does not match this access key ID; check AWS_SECRET_ACCESS_KEY or the profile's "
                + "aws_secret_access_key, the region (\(region)) and the system clock"
        case .unknownAccessKey(let key, let endpoint, let identity):
            return "S3 at \(endpoint) does not know access key \(key) (\(identity)): check AWS_ACCESS_KEY_ID or the profile's aws_access_key_id"
        case .accessDenied(let operation, let location, let identity, let detail):
            return "access denied for \(operation) on \(location) (\(identity)): the credentials are valid but lack permission; "
                + "check the IAM and bucket policies" + (detail.isEmpty ? "" : " (\(detail))")
        case .badSessionToken(let code, let identity):
            return "S3 rejected the session token (\(code), \(identity)): refresh the temporary credentials and AWS_SESSION_TOKEN"
        case .wrongRegion(let bucket, let configured, let actual):
            return "bucket \(bucket) is not in region \(configured)"
                + (actual.map { ", it is in \($0): set AWS_REGION=\($0) or the profile's region" } ?? ": set AWS_REGION to the bucket's region")
        case .missingETag(let key):
            return "S3 stored \(key) but returned no ETag: check that the endpoint is really S3-compatible"
        case .conditionalWritesUnsupported(let endpoint, let status):
            return "S3 at \(endpoint) answered HTTP \(status) to a conditional PUT (If-None-Match: *): "
                + "this store does not support conditional writes; switch the S3 store to head-then-put mode"
        case .invalidKey(let key, let reason):
            return "cannot store key \"\(key)\": \(reason)"
        case .keyUnstable(let key):
            return "the object at \(key) kept changing while storing it (another writer?): try again"
        case .cannotKeepPrevious(let key, let reason):
            return "not replacing \(key) with newer content: \(reason)"
        case .unexpectedStatus(let operation, let location, let status, let code, let message):
            var text = "\(operation) \(location) failed with HTTP \(status)"
            if let code { text += " \(code)" }
            if let message, !message.isEmpty { text += ": \(message)" }
            return text
        case .serverBusy(let operation, let location, let status, let code, let attempts):
            return "\(operation) \(location) failed with HTTP \(status)" + (code.map { " \($0)" } ?? "")
                + " after \(attempts) attempts: the store is throttling or failing; try again later"
        case .transport(let operation, let location, let detail):
            return "\(operation) \(location) failed: \(detail)"
        case .unreachable(let operation, let endpoint, let detail, let attempts):
            return "\(operation) failed: could not reach S3 at \(endpoint) after \(attempts) attempts (\(detail)): "
                + "check the endpoint URL and the network"
        case .credentialsUnavailable(let operation, let location, let detail):
            return "\(operation) \(location) not sent: \(detail)"
        }
    }
}
