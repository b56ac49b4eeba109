import Foundation

/// How ``S3ObjectStore`` keeps a PUT from replacing a different object.
public enum S3ConditionalWriteMode: String, Sendable, Equatable {
    /// `PUT` with `If-None-Match: *`; the store refuses with 412 when the key exists (AWS S3 since 2024, moto 5).
    case ifNoneMatch
    /// `HEAD` the key, then plain `PUT` when absent. For stores without conditional writes; racy: another
    /// writer may store between the HEAD and the PUT, and the later PUT wins (in a versioned bucket the
    /// earlier object survives as an older version).
    case headThenPut
}

/// Everything ``S3ObjectStore`` needs: where the bucket is and how to sign for it.
public struct S3Configuration: Sendable {
    public var bucket: String
    public var region: String
    /// A custom endpoint such as `http://127.0.0.1:4566` (path-style addressing), or nil for AWS itself.
    public var endpointURL: String?
    /// The credentials found at start (for messages); requests sign with ``currentCredentials()``.
    public var credentials: AWSCredentials
    /// Refreshes temporary credentials (STS, container, instance metadata, credential process); nil for static keys.
    public var credentialsCache: AWSCredentialsCache?
    /// The profile in use, for messages.
    public var profileName: String?
    /// Use `endpoint/bucket/key` rather than `bucket.endpoint/key`. Always true for custom endpoints.
    public var pathStyle: Bool
    public var conditionalWrites: S3ConditionalWriteMode
    /// The encryption each PUT asks for; nil leaves it to the bucket's default encryption.
    public var serverSideEncryption: S3ServerSideEncryption?
    /// Seconds allowed per HTTP exchange.
    public var requestTimeout: Double
    /// How transient failures (5xx, throttling, resets, timeouts) are retried; 4xx answers other than
    /// throttling never are. A server's `Retry-After` is honoured up to ``RetryPolicy/maxRetryAfter``.
    public var retry: RetryPolicy

    /// Builds a configuration directly. Path-style is used for custom endpoints, for bucket names that are
    /// not DNS-safe without dots, and when `forcePathStyle` is set.
    public init(bucket: String, region: String = "us-east-1", endpointURL: String? = nil, credentials: AWSCredentials,
                profileName: String? = nil, forcePathStyle: Bool = false,
                conditionalWrites: S3ConditionalWriteMode = .ifNoneMatch,
                requestTimeout: Double = 60, retry: RetryPolicy = .s3) throws {
        guard S3Configuration.isUsableBucketName(bucket) else { throw S3ConfigurationError.invalidBucketName(bucket) }
        var endpoint: String?
        if let endpointURL {
            endpoint = try S3Configuration.normalizedEndpoint(endpointURL, source: "the S3 endpoint setting")
        }
        self.bucket = bucket
        self.region = region.isEmpty ? "us-east-1" : region
        self.endpointURL = endpoint
        self.credentials = credentials
        self.profileName = profileName
        self.pathStyle = forcePathStyle || endpoint != nil || bucket.contains(".") || bucket != bucket.lowercased()
        self.conditionalWrites = conditionalWrites
        self.requestTimeout = requestTimeout
        self.retry = retry
    }

    /// The credentials to sign the next request with: refreshed ones when they are temporary.
    public func currentCredentials() async throws -> AWSCredentials {
        try await credentialsCache?.credentials() ?? credentials
    }

    /// The server's base URL, for messages: the custom endpoint or the regional AWS host.
    public var endpointDescription: String {
        endpointURL ?? "https://s3.\(region).\(S3Configuration.awsDomain(region: region))"
    }

    /// Who is asking, for messages: `profile p` or `credentials from environment`.
    public var identity: String {
        if let profileName, case .environment = credentials.source { return "credentials from environment, profile \(profileName)" }
        return credentials.source.description
    }

    /// URL of the bucket itself (for `HEAD`).
    public var bucketURL: String {
        if pathStyle { return baseURL + "/" + S3Configuration.encodePathSegment(bucket) }
        return virtualHostBase + "/"
    }

    /// URL of `key`: `http://host:port/bucket/key` path-style, `https://bucket.s3.region.amazonaws.com/key` otherwise.
    /// Each path segment is percent-encoded as SigV4 canonicalises it for S3 (so `=` becomes `%3D`; `/` stays).
    public func objectURL(for key: String) throws -> String {
        try S3Configuration.validate(key: key)
        let path = S3Configuration.encodeKeyPath(key)
        if pathStyle { return baseURL + "/" + S3Configuration.encodePathSegment(bucket) + "/" + path }
        return virtualHostBase + "/" + path
    }

    /// The `s3://bucket/key` location recorded in the registry and notifications.
    public func location(for key: String) -> String { "s3://\(bucket)/\(key)" }

    private var baseURL: String { endpointURL ?? "https://s3.\(region).\(S3Configuration.awsDomain(region: region))" }
    private var virtualHostBase: String { "https://\(bucket).s3.\(region).\(S3Configuration.awsDomain(region: region))" }

    static func awsDomain(region: String) -> String { region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com" }

    /// Percent-encodes every byte outside `A-Z a-z 0-9 - . _ ~` (SigV4's UriEncode), segment by segment.
    public static func encodeKeyPath(_ key: String) -> String {
        key.split(separator: "/", omittingEmptySubsequences: false).map { encodePathSegment(String($0)) }.joined(separator: "/")
    }

    static func encodePathSegment(_ segment: String) -> String {
        var out = ""
        for byte in segment.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    /// Rejects keys an HTTP client would rewrite: empty, leading `/`, or `.`/`..` segments (collapsed by URL parsing).
    static func validate(key: String) throws {
        if key.isEmpty { throw S3Error.invalidKey(key: key, reason: "the key is empty") }
        if key.hasPrefix("/") { throw S3Error.invalidKey(key: key, reason: "keys must not start with \"/\"") }
        if key.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0 == "." || $0 == ".." }) {
            throw S3Error.invalidKey(key: key, reason: "\".\" and \"..\" path segments would be collapsed by the URL")
        }
        if key.utf8.count > 1024 { throw S3Error.invalidKey(key: key, reason: "S3 keys are at most 1024 bytes") }
    }

    static func isUsableBucketName(_ name: String) -> Bool {
        guard (3...255).contains(name.count) else { return false }
        return name.unicodeScalars.allSatisfy { scalar in
            CharacterSet.alphanumerics.contains(scalar) && scalar.isASCII || "-._".unicodeScalars.contains(scalar)
        }
    }

    static func normalizedEndpoint(_ value: String, source: String) throws -> String {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard let components = URLComponents(string: trimmed), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty,
              components.query == nil, components.fragment == nil else {
            throw S3ConfigurationError.invalidEndpoint(value: value, source: source)
        }
        var result = trimmed
        while result.hasSuffix("/") { result.removeLast() }
        return result
    }
}
