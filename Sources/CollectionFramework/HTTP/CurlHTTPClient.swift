import BlockingIO
import CCurl
import Foundation

/// The shared HTTP client, built on libcurl's easy interface. Each transfer runs on a thread of
/// a ``BlockingIOPool`` (never on Swift's cooperative pool) and hands its body over chunk by
/// chunk through a bounded ``ByteChannel``, so the caller hashes and compresses while the
/// download goes on. TLS peer and host verification are always on.
///
/// A request is not started once the calling task is cancelled; a transfer already started runs
/// to its end (its timeouts bound it), unless its reader abandons the body stream
/// (``ContentStream/cancel()``), which aborts it at its next progress tick.
public struct CurlHTTPClient: HTTPClient {
    public let configuration: HTTPClientConfiguration
    /// Where the blocking transfers run.
    public let pool: BlockingIOPool
    /// Bytes that may wait between the transfer and its reader.
    public static let channelLimit = 4 << 20

    public init(configuration: HTTPClientConfiguration = HTTPClientConfiguration(), pool: BlockingIOPool = .shared) {
        CurlGlobal.initialize()
        self.configuration = configuration
        self.pool = pool
    }

    public func stream(_ request: HTTPRequest) async throws -> HTTPStreamingResponse {
        guard let components = URLComponents(string: request.url), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", components.host?.isEmpty == false else {
            throw HTTPError.invalidURL(request.url)
        }
        try Task.checkCancellation()
        let channel = ByteChannel(limit: Self.channelLimit)
        let head = AsyncOneShot<CurlTransfer.Head>()
        let configuration = configuration
        pool.execute {
            CurlTransfer(request: request, configuration: configuration, channel: channel, head: head).perform()
        }
        let received = try await head.value
        return HTTPStreamingResponse(status: received.status, headers: received.headers,
                                     body: ContentStream(channel: channel, expectedLength: received.headers["content-length"].flatMap { Int($0) }))
    }
}

/// `curl_global_init`, once per process.
enum CurlGlobal {
    private static let done: Bool = {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        return true
    }()

    static func initialize() { _ = done }
}

/// One libcurl easy transfer, from start to end on one pool thread: it holds its easy handle (taken
/// from ``CurlHandleCache``) for its whole life and never shares it, so it needs no lock. It reports the response head through
/// `head` (at the first body byte, or at the end when there is no body) and the body through
/// `channel`.
final class CurlTransfer {
    struct Head: Sendable {
        var status: Int
        var headers: [String: String]
    }

    let request: HTTPRequest
    let configuration: HTTPClientConfiguration
    let channel: ByteChannel
    let head: AsyncOneShot<Head>
    private(set) var headers: [String: String] = [:]
    private var received = 0
    private(set) var overflowed = false
    private(set) var abandoned = false
    private var handle: UnsafeMutableRawPointer?

    init(request: HTTPRequest, configuration: HTTPClientConfiguration, channel: ByteChannel, head: AsyncOneShot<Head>) {
        self.request = request
        self.configuration = configuration
        self.channel = channel
        self.head = head
    }

    /// Runs the transfer to its end (blocking).
    func perform() {
        // A kept handle brings its open connections: keep-alive and TLS sessions are reused.
        guard let easy = CurlHandleCache.shared.take() else {
            fail(HTTPError.transport(url: request.url, code: -1, detail: "curl_easy_init failed"))
            return
        }
        handle = easy
        defer { CurlHandleCache.shared.giveBack(easy); handle = nil }
        let me = Unmanaged.passUnretained(self).toOpaque()

        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        let names = Set(request.headers.map { $0.0.lowercased() })
        var headers = request.headers
        if let token = request.awsSigning?.sessionToken { headers.append(("x-amz-security-token", token)) }
        // libcurl 7.88's CURLOPT_AWS_SIGV4 signs every entry of this list, even an "Expect:" that only removes
        // a header and is never sent, so signed requests keep curl's default Expect handling.
        if request.body != nil, request.awsSigning == nil, !names.contains("expect") { headers.append(("Expect", "")) }
        for (name, value) in headers {
            headerList = curl_slist_append(headerList, value.isEmpty ? "\(name):" : "\(name): \(value)")
        }

        _ = scraper_curl_set_string(easy, CURLOPT_URL, request.url)
        // The default User-Agent goes through CURLOPT_USERAGENT rather than the header list, so that SigV4
        // does not sign it (verifiers such as botocore's never include user-agent when recomputing).
        if !names.contains("user-agent") { _ = scraper_curl_set_string(easy, CURLOPT_USERAGENT, configuration.userAgent) }
        _ = scraper_curl_set_long(easy, CURLOPT_NOSIGNAL, 1)
        // Redirects: only plain GETs follow them. A signed request never does (its signature and
        // headers must not travel to another host), and an https request follows only to https,
        // never downgrading to http.
        let followsRedirects = request.method == "GET" && request.awsSigning == nil
        _ = scraper_curl_set_long(easy, CURLOPT_FOLLOWLOCATION, followsRedirects ? 1 : 0)
        let isHTTPS = request.url.lowercased().hasPrefix("https://")
        _ = scraper_curl_set_string(easy, CURLOPT_REDIR_PROTOCOLS_STR, isHTTPS ? "https" : "http,https")
        _ = scraper_curl_set_long(easy, CURLOPT_MAXREDIRS, 5)
        _ = scraper_curl_set_long(easy, CURLOPT_SSL_VERIFYPEER, 1)
        _ = scraper_curl_set_long(easy, CURLOPT_SSL_VERIFYHOST, 2)
        if let ca = configuration.caBundlePath { _ = scraper_curl_set_string(easy, CURLOPT_CAINFO, ca) }
        _ = scraper_curl_set_long(easy, CURLOPT_CONNECTTIMEOUT_MS, Int(configuration.connectTimeout * 1000))
        _ = scraper_curl_set_long(easy, CURLOPT_TIMEOUT_MS, Int(request.timeout * 1000))
        _ = scraper_curl_set_off(easy, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(configuration.maxResponseBytes))
        _ = scraper_curl_set_slist(easy, CURLOPT_HTTPHEADER, headerList)
        _ = scraper_curl_set_pointer(easy, CURLOPT_WRITEDATA, me)
        _ = scraper_curl_set_callback(easy, CURLOPT_WRITEFUNCTION, curlWriteBody)
        _ = scraper_curl_set_pointer(easy, CURLOPT_HEADERDATA, me)
        _ = scraper_curl_set_callback(easy, CURLOPT_HEADERFUNCTION, curlWriteHeader)
        // The progress callback is how a cancelled caller stops a transfer that is waiting for bytes.
        _ = scraper_curl_set_long(easy, CURLOPT_NOPROGRESS, 0)
        _ = scraper_curl_set_pointer(easy, CURLOPT_XFERINFODATA, me)
        _ = scraper_curl_set_xferinfo(easy, curlProgress)
        if let signing = request.awsSigning {
            _ = scraper_curl_set_string(easy, CURLOPT_AWS_SIGV4, signing.provider)
            _ = scraper_curl_set_string(easy, CURLOPT_USERPWD, "\(signing.accessKeyID):\(signing.secretAccessKey)")
        }

        let method = request.method.uppercased()
        switch method {
        case "GET": _ = scraper_curl_set_long(easy, CURLOPT_HTTPGET, 1)
        case "HEAD": _ = scraper_curl_set_long(easy, CURLOPT_NOBODY, 1)
        default: _ = scraper_curl_set_string(easy, CURLOPT_CUSTOMREQUEST, method)
        }

        let body = request.body ?? Data()
        let code: CURLcode = body.withUnsafeBytes { raw -> CURLcode in
            if request.body != nil || method == "PUT" || method == "POST" {
                _ = scraper_curl_set_off(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
                // POSTFIELDS with a pointer: curl reads the bytes during perform, while `raw` is valid.
                _ = scraper_curl_set_pointer(easy, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!))
                if method != "POST" { _ = scraper_curl_set_string(easy, CURLOPT_CUSTOMREQUEST, method) }
            }
            return curl_easy_perform(easy)
        }

        if code != CURLE_OK {
            fail(abandoned ? CancellationError() : mapError(code))
            return
        }
        resolveHead()
        channel.finish()
    }

    /// Reports the head (once) with the status curl has read.
    private func resolveHead() {
        guard !head.isResolved, let handle else { return }
        var status = 0
        _ = scraper_curl_get_long(handle, CURLINFO_RESPONSE_CODE, &status)
        head.resolve(.success(Head(status: status, headers: headers)))
    }

    /// Ends the transfer with `error`: before the head, the caller of `stream` gets it; after, the body reader.
    private func fail(_ error: any Error) {
        if !head.resolve(.failure(error)) { channel.finish(throwing: error) }
    }

    func appendBody(_ pointer: UnsafeRawPointer, _ count: Int) -> Bool {
        if received + count > configuration.maxResponseBytes {
            overflowed = true
            return false
        }
        resolveHead()
        received += count
        guard channel.push(Data(bytes: pointer, count: count)) else {
            abandoned = true
            return false
        }
        return true
    }

    func appendHeader(_ line: String) {
        if line.hasPrefix("HTTP/") {
            headers = [:] // a new response (after a redirect or 100-continue) starts over
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        headers[name] = value
    }

    /// True when the reader has gone away: the transfer should stop.
    var shouldAbort: Bool {
        if channel.isClosed { abandoned = true }
        return abandoned
    }

    private func mapError(_ code: CURLcode) -> HTTPError {
        let url = request.url
        let detail = String(cString: curl_easy_strerror(code))
        switch code {
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_SEND_ERROR,
             CURLE_RECV_ERROR, CURLE_GOT_NOTHING:
            return .connectFailed(url: url, detail: detail)
        case CURLE_OPERATION_TIMEDOUT:
            return .timedOut(url: url, seconds: request.timeout)
        case CURLE_PARTIAL_FILE:
            return .truncatedBody(url: url, detail: "received \(received) bytes, fewer than Content-Length announced")
        case CURLE_FILESIZE_EXCEEDED:
            return .responseTooLarge(url: url, limit: configuration.maxResponseBytes)
        case CURLE_WRITE_ERROR where overflowed:
            return .responseTooLarge(url: url, limit: configuration.maxResponseBytes)
        case CURLE_UNSUPPORTED_PROTOCOL where url.lowercased().hasPrefix("https://"):
            return .transport(url: url, code: Int(code.rawValue),
                              detail: "refused to follow a redirect from https to a plain http address (\(detail)); fix the server's redirect or point api_url at the final https address")
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM:
            return .tls(url: url, detail: detail)
        default:
            return .transport(url: url, code: Int(code.rawValue), detail: detail)
        }
    }
}

private func curlWriteBody(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let data, let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    let bytes = size * count
    return transfer.appendBody(UnsafeRawPointer(data), bytes) ? bytes : 0
}

private func curlWriteHeader(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let data, let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    let bytes = size * count
    let line = String(decoding: UnsafeRawBufferPointer(start: data, count: bytes), as: UTF8.self)
    transfer.appendHeader(line)
    return bytes
}

private func curlProgress(_ context: UnsafeMutableRawPointer?, _: curl_off_t, _: curl_off_t, _: curl_off_t, _: curl_off_t) -> Int32 {
    guard let context else { return 0 }
    return Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue().shouldAbort ? 1 : 0
}
