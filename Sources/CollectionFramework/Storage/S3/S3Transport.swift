import Crypto
import Foundation

/// Sends signed S3 requests through the shared ``HTTPClient`` and retries transient failures.
///
/// Adds `x-amz-content-sha256` (S3 requires it; libcurl signs it with the other `x-amz-*` headers) and
/// hands the keys to libcurl's `CURLOPT_AWS_SIGV4` through ``HTTPRequest/awsSigning``.
struct S3Transport: Sendable {
    let configuration: S3Configuration
    let client: any HTTPClient
    /// Waits between attempts (``RetryPolicy/pause(_:)`` unless a test replaces it).
    let pause: @Sendable (Double) async throws -> Void
    /// The jitter: a number in the given range.
    let random: @Sendable (ClosedRange<Double>) -> Double

    /// S3 error codes worth another try even though their status is 4xx.
    static let retryableCodes: Set<String> = [
        "RequestTimeout", "ConditionalRequestConflict", "SlowDown", "Throttling", "ThrottlingException",
        "InternalError", "ServiceUnavailable", "RequestLimitExceeded",
    ]

    /// Sends once per attempt until a non-transient answer, or throws ``S3Error`` after the last attempt.
    /// `operation` and `location` only label messages.
    func send(method: String, url: String, headers: [(String, String)] = [], body: Data? = nil,
              operation: String, location: String) async throws -> HTTPResponse {
        let credentials: AWSCredentials
        do {
            credentials = try await configuration.currentCredentials()
        } catch {
            throw S3Error.credentialsUnavailable(operation: operation, location: location, detail: "\(error)")
        }
        let signing = AWSSigning(region: configuration.region, service: "s3",
                                 accessKeyID: credentials.accessKeyID,
                                 secretAccessKey: credentials.secretAccessKey,
                                 sessionToken: credentials.sessionToken)
        var allHeaders = headers
        allHeaders.append(("x-amz-content-sha256", Self.hex(SHA256.hash(data: body ?? Data()))))
        let request = HTTPRequest(method: method, url: url, headers: allHeaders, body: body,
                                  timeout: configuration.requestTimeout, awsSigning: signing)
        let policy = configuration.retry

        var attempt = 0
        while true {
            attempt += 1
            let response: HTTPResponse
            do {
                response = try await client.send(request)
            } catch let error as HTTPError where error.isTransient {
                if attempt < policy.maxAttempts {
                    try await pause(policy.delay(afterAttempt: attempt, retryAfterSeconds: nil, random: random))
                    continue
                }
                throw S3Error.unreachable(operation: operation, endpoint: configuration.endpointDescription,
                                          detail: configuration.credentials.redacting(error.description), attempts: attempt)
            } catch let error as HTTPError {
                throw S3Error.transport(operation: operation, location: location,
                                        detail: configuration.credentials.redacting(error.description))
            }

            guard isRetryable(response) else { return response }
            if attempt < policy.maxAttempts {
                // A Retry-After of 0 (or one in the past) leaves the wait to the backoff.
                let hint = response.headers["retry-after"].flatMap { RetryPolicy.parseRetryAfter($0) }.flatMap { $0 > 0 ? $0 : nil }
                try await pause(policy.delay(afterAttempt: attempt, retryAfterSeconds: hint, random: random))
                continue
            }
            throw S3Error.serverBusy(operation: operation, location: location, status: response.status,
                                     code: S3ErrorDocument(body: response.body).code, attempts: attempt)
        }
    }

    private func isRetryable(_ response: HTTPResponse) -> Bool {
        let status = response.status
        if status == 429 || status == 500 || status == 502 || status == 503 || status == 504 { return true }
        if status == 400 || status == 409, let code = S3ErrorDocument(body: response.body).code {
            return Self.retryableCodes.contains(code)
        }
        return false
    }

    /// Turns a failed answer into the error that names the fix.
    func classify(_ response: HTTPResponse, operation: String, location: String) -> S3Error {
        let document = S3ErrorDocument(body: response.body)
        let credentials = configuration.credentials
        let message = document.message.map { credentials.redacting($0) }
        switch (response.status, document.code) {
        case (404, "NoSuchBucket"?):
            return .bucketMissing(bucket: configuration.bucket, endpoint: configuration.endpointDescription,
                                  identity: configuration.identity)
        case (403, "SignatureDoesNotMatch"?):
            return .signatureMismatch(accessKeyID: credentials.accessKeyID, endpoint: configuration.endpointDescription,
                                      region: configuration.region, identity: configuration.identity)
        case (403, "InvalidAccessKeyId"?):
            return .unknownAccessKey(accessKeyID: credentials.accessKeyID, endpoint: configuration.endpointDescription,
                                     identity: configuration.identity)
        case (_, "ExpiredToken"?), (_, "InvalidToken"?), (_, "TokenRefreshRequired"?):
            return .badSessionToken(code: document.code ?? "", identity: configuration.identity)
        case (403, _):
            return .accessDenied(operation: operation, location: location, identity: configuration.identity,
                                 detail: [document.code, message].compactMap { $0 }.joined(separator: ": "))
        case (301, _), (307, _), (_, "PermanentRedirect"?), (_, "AuthorizationHeaderMalformed"?),
             (_, "IllegalLocationConstraintException"?):
            return .wrongRegion(bucket: configuration.bucket, configured: configuration.region,
                                actual: response.headers["x-amz-bucket-region"] ?? document.region)
        default:
            return .unexpectedStatus(operation: operation, location: location, status: response.status,
                                     code: document.code, message: message)
        }
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}
