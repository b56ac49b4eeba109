import Foundation

/// One HTTP exchange to make.
public struct HTTPRequest: Sendable {
    public var method: String
    /// Full URL including any query string.
    public var url: String
    public var headers: [(String, String)]
    public var body: Data?
    /// Total time allowed, in seconds.
    public var timeout: Double
    /// When set, libcurl signs the request with AWS Signature V4.
    public var awsSigning: AWSSigning?

    public init(method: String = "GET", url: String, headers: [(String, String)] = [], body: Data? = nil,
                timeout: Double = 30, awsSigning: AWSSigning? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.awsSigning = awsSigning
    }
}

/// What libcurl needs to sign a request with AWS SigV4 (`CURLOPT_AWS_SIGV4`).
public struct AWSSigning: Sendable {
    /// e.g. `aws:amz:us-east-1:s3`.
    public var provider: String
    public var accessKeyID: String
    public var secretAccessKey: String
    public var sessionToken: String?

    public init(region: String, service: String, accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.provider = "aws:amz:\(region):\(service)"
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }
}

/// A complete response.
public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header names lower-cased; the last value wins.
    public var headers: [String: String]
    public var body: Data
    /// Seconds from start to last byte.
    public var elapsed: Double

    public init(status: Int, headers: [String: String] = [:], body: Data = Data(), elapsed: Double = 0) {
        self.status = status
        self.headers = headers
        self.body = body
        self.elapsed = elapsed
    }
}

/// A response whose body is still arriving.
public struct HTTPStreamingResponse: Sendable {
    public var status: Int
    /// Header names lower-cased; the last value wins.
    public var headers: [String: String]
    /// The body, chunk by chunk as it arrives.
    public var body: ContentStream

    public init(status: Int, headers: [String: String] = [:], body: ContentStream) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// `Content-Length`, when the server sent one.
    public var contentLength: Int? { headers["content-length"].flatMap { Int($0) } }
}

/// Sends HTTP requests. Implementations are safe to call from any number of tasks at once.
///
/// Implementation requirements:
/// - ``stream(_:)`` returns once the status and headers are in; the body follows through
///   ``HTTPStreamingResponse/body``. A transfer that fails after that throws from the body stream.
/// - Transport failures throw ``HTTPError``; any status code is a response, not an error
///   (``HTTPClient/fetch(_:)`` turns non-2xx into errors).
/// - Blocking work never runs on Swift's cooperative pool; cancelling the calling task abandons the
///   transfer (`CancellationError`).
public protocol HTTPClient: Sendable {
    /// Sends `request` and returns as soon as the response's head has arrived.
    func stream(_ request: HTTPRequest) async throws -> HTTPStreamingResponse
}

extension HTTPClient {
    /// Sends `request` and reads the whole response.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await Self.whole { try await stream(request) }
    }

    /// Reads the whole body of the response `start` returns, timing head and body together.
    private static func whole(_ start: () async throws -> HTTPStreamingResponse) async throws -> HTTPResponse {
        let started = ContinuousClock.now
        let response = try await start()
        let body = try await response.body.collect()
        let elapsed = ContinuousClock.now - started
        return HTTPResponse(status: response.status, headers: response.headers, body: body,
                            elapsed: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    /// GETs a candidate and returns its body as it streams in, when the status is 2xx; throws
    /// ``HTTPError/status`` (with an excerpt of the body) otherwise.
    public func fetchStream(_ candidate: DownloadCandidate) async throws -> HTTPStreamingResponse {
        let request = HTTPRequest(method: "GET", url: candidate.url,
                                  headers: candidate.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
                                  timeout: candidate.timeout)
        let response = try await stream(request)
        guard (200..<300).contains(response.status) else {
            let excerpt = await response.body.leadingBytes(64 << 10)
            throw HTTPError.status(code: response.status, url: candidate.url,
                                   retryAfter: response.headers["retry-after"],
                                   bodyExcerpt: HTTPError.excerpt(excerpt))
        }
        return response
    }

    /// GETs a candidate and returns the whole response when its status is 2xx; throws
    /// ``HTTPError/status`` otherwise.
    public func fetch(_ candidate: DownloadCandidate) async throws -> HTTPResponse {
        try await Self.whole { try await fetchStream(candidate) }
    }
}

/// Why an HTTP exchange failed.
public enum HTTPError: Error, Equatable, CustomStringConvertible {
    case invalidURL(String)
    case connectFailed(url: String, detail: String)
    case timedOut(url: String, seconds: Double)
    /// The server closed the connection before sending everything it announced.
    case truncatedBody(url: String, detail: String)
    /// The response passed the configured size cap.
    case responseTooLarge(url: String, limit: Int)
    case tls(url: String, detail: String)
    /// The server answered with a non-2xx status.
    case status(code: Int, url: String, retryAfter: String?, bodyExcerpt: String)
    case transport(url: String, code: Int, detail: String)

    /// Whether trying again may help: connect errors, timeouts, truncated bodies, 429 and 5xx.
    public var isTransient: Bool {
        switch self {
        case .connectFailed, .timedOut, .truncatedBody: return true
        case .status(let code, _, _, _): return code == 429 || (500...599).contains(code)
        case .transport: return true
        case .invalidURL, .responseTooLarge, .tls: return false
        }
    }

    public var description: String {
        switch self {
        case .invalidURL(let url): return "invalid URL \(url): give an absolute http:// or https:// address"
        case .connectFailed(let url, let detail): return "could not connect to \(url): \(detail)"
        case .timedOut(let url, let s): return "request to \(url) timed out after \(s)s"
        case .truncatedBody(let url, let detail): return "response from \(url) was cut short: \(detail)"
        case .responseTooLarge(let url, let limit):
            return "response from \(url) exceeded the \(limit)-byte cap (raise http.max_response_bytes if this is expected)"
        case .tls(let url, let detail): return "TLS verification failed for \(url): \(detail) (set http.ca_bundle to trust a private CA)"
        case .status(let code, let url, let retryAfter, let body):
            var text = "HTTP \(code) from \(url)"
            if let retryAfter { text += " (Retry-After: \(retryAfter))" }
            if !body.isEmpty { text += ": \(body)" }
            return text
        case .transport(let url, let code, let detail): return "transfer from \(url) failed (curl \(code)): \(detail)"
        }
    }

    /// The first 200 printable characters of a body, for error messages.
    public static func excerpt(_ body: Data) -> String {
        let text = String(decoding: body.prefix(200), as: UTF8.self)
        return String(text.map { $0.isNewline ? " " : $0 }).trimmingCharacters(in: .whitespaces)
    }
}
