/// How S3 encrypts the objects the store writes (`storage.sse`, `storage.kms_key_id`, `--s3-sse`,
/// `--s3-kms-key-id`). Nil in ``S3Configuration/serverSideEncryption`` sends no header, leaving it
/// to the bucket's default encryption.
///
/// With SSE-KMS an object's ETag is not the MD5 of its body, so the store never compares them:
/// integrity comes from `Content-MD5` (S3 refuses a damaged body) and `x-amz-meta-content-sha256`.
public enum S3ServerSideEncryption: Sendable, Equatable {
    /// SSE-S3: `x-amz-server-side-encryption: AES256`.
    case aes256
    /// SSE-KMS: `x-amz-server-side-encryption: aws:kms`, with the key (id, ARN or `alias/…`) when
    /// given, else the account's AWS managed key for S3.
    case kms(keyID: String?)

    /// The values `storage.sse` and `--s3-sse` accept.
    public static let names = ["AES256", "aws:kms"]

    /// Reads `AES256` or `aws:kms` (and `kmsKeyID`, which only `aws:kms` takes).
    public init(name: String, kmsKeyID: String?) throws {
        let keyID = kmsKeyID.flatMap { $0.isEmpty ? nil : $0 }
        switch name {
        case "AES256":
            guard keyID == nil else { throw S3ServerSideEncryptionError.keyWithoutKMS }
            self = .aes256
        case "aws:kms":
            self = .kms(keyID: keyID)
        default:
            throw S3ServerSideEncryptionError.unknown(name)
        }
    }

    /// The request headers of a PUT (or the destination of a copy).
    var headers: [(String, String)] {
        switch self {
        case .aes256:
            return [("x-amz-server-side-encryption", "AES256")]
        case .kms(let keyID):
            return [("x-amz-server-side-encryption", "aws:kms")]
                + (keyID.map { [("x-amz-server-side-encryption-aws-kms-key-id", $0)] } ?? [])
        }
    }
}

/// Why an encryption setting was refused.
public enum S3ServerSideEncryptionError: Error, Equatable, CustomStringConvertible {
    case unknown(String)
    case keyWithoutKMS

    public var description: String {
        switch self {
        case .unknown(let name):
            return "server-side encryption \(name.debugDescription) is not known: use AES256 (SSE-S3) or aws:kms (SSE-KMS)"
        case .keyWithoutKMS:
            return "a KMS key id is set but the encryption is AES256: set the encryption (storage.sse, --s3-sse) to aws:kms, or drop the key id"
        }
    }
}
