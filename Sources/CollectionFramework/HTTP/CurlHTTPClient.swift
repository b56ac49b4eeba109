import CCurl
import Foundation

/// The shared HTTP client, built on libcurl's easy interface. One easy handle per request, so
/// any number of threads may call it at once. TLS peer and host verification are always on.
public final class CurlHTTPClient: HTTPClient, @unchecked Sendable {
    public let configuration: HTTPClientConfiguration

    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    public init(configuration: HTTPClientConfiguration = HTTPClientConfiguration()) {
        _ = CurlHTTPClient.globalInit
        self.configuration = configuration
    }

    public func send(_ request: HTTPRequest) throws -> HTTPResponse {
        guard let components = URLComponents(string: request.url), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", components.host?.isEmpty == false else {
            throw HTTPError.invalidURL(request.url)
        }
        guard let handle = curl_easy_init() else {
            throw HTTPError.transport(url: request.url, code: -1, detail: "curl_easy_init failed")
        }
        defer { curl_easy_cleanup(handle) }

        let sink = ResponseSink(limit: configuration.maxResponseBytes)
        let sinkPointer = Unmanaged.passRetained(sink)
        defer { sinkPointer.release() }

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

        _ = scraper_curl_set_string(handle, CURLOPT_URL, request.url)
        // The default User-Agent goes through CURLOPT_USERAGENT rather than the header list, so that SigV4
        // does not sign it (verifiers such as botocore's never include user-agent when recomputing).
        if !names.contains("user-agent") { _ = scraper_curl_set_string(handle, CURLOPT_USERAGENT, configuration.userAgent) }
        _ = scraper_curl_set_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = scraper_curl_set_long(handle, CURLOPT_FOLLOWLOCATION, request.method == "GET" ? 1 : 0)
        _ = scraper_curl_set_long(handle, CURLOPT_MAXREDIRS, 5)
        _ = scraper_curl_set_long(handle, CURLOPT_SSL_VERIFYPEER, 1)
        _ = scraper_curl_set_long(handle, CURLOPT_SSL_VERIFYHOST, 2)
        if let ca = configuration.caBundlePath { _ = scraper_curl_set_string(handle, CURLOPT_CAINFO, ca) }
        _ = scraper_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(configuration.connectTimeout * 1000))
        _ = scraper_curl_set_long(handle, CURLOPT_TIMEOUT_MS, Int(request.timeout * 1000))
        _ = scraper_curl_set_off(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(configuration.maxResponseBytes))
        _ = scraper_curl_set_slist(handle, CURLOPT_HTTPHEADER, headerList)
        _ = scraper_curl_set_pointer(handle, CURLOPT_WRITEDATA, sinkPointer.toOpaque())
        _ = scraper_curl_set_callback(handle, CURLOPT_WRITEFUNCTION, curlWriteBody)
        _ = scraper_curl_set_pointer(handle, CURLOPT_HEADERDATA, sinkPointer.toOpaque())
        _ = scraper_curl_set_callback(handle, CURLOPT_HEADERFUNCTION, curlWriteHeader)
        if let signing = request.awsSigning {
            _ = scraper_curl_set_string(handle, CURLOPT_AWS_SIGV4, signing.provider)
            _ = scraper_curl_set_string(handle, CURLOPT_USERPWD, "\(signing.accessKeyID):\(signing.secretAccessKey)")
        }

        let method = request.method.uppercased()
        switch method {
        case "GET": _ = scraper_curl_set_long(handle, CURLOPT_HTTPGET, 1)
        case "HEAD": _ = scraper_curl_set_long(handle, CURLOPT_NOBODY, 1)
        default: _ = scraper_curl_set_string(handle, CURLOPT_CUSTOMREQUEST, method)
        }

        let body = request.body ?? Data()
        let code: CURLcode = body.withUnsafeBytes { raw -> CURLcode in
            if request.body != nil || method == "PUT" || method == "POST" {
                _ = scraper_curl_set_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
                // POSTFIELDS with a pointer: curl reads the bytes during perform, while `raw` is valid.
                _ = scraper_curl_set_pointer(handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!))
                if method != "POST" { _ = scraper_curl_set_string(handle, CURLOPT_CUSTOMREQUEST, method) }
            }
            return curl_easy_perform(handle)
        }

        var status = 0
        _ = scraper_curl_get_long(handle, CURLINFO_RESPONSE_CODE, &status)
        var elapsed = 0.0
        _ = scraper_curl_get_double(handle, CURLINFO_TOTAL_TIME, &elapsed)

        if code != CURLE_OK {
            throw mapError(code, url: request.url, request: request, sink: sink)
        }
        return HTTPResponse(status: status, headers: sink.headers, body: sink.body, elapsed: elapsed)
    }

    private func mapError(_ code: CURLcode, url: String, request: HTTPRequest, sink: ResponseSink) -> HTTPError {
        let detail = String(cString: curl_easy_strerror(code))
        switch code {
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_SEND_ERROR,
             CURLE_RECV_ERROR, CURLE_GOT_NOTHING:
            return .connectFailed(url: url, detail: detail)
        case CURLE_OPERATION_TIMEDOUT:
            return .timedOut(url: url, seconds: request.timeout)
        case CURLE_PARTIAL_FILE:
            return .truncatedBody(url: url, detail: "received \(sink.body.count) bytes, fewer than Content-Length announced")
        case CURLE_FILESIZE_EXCEEDED:
            return .responseTooLarge(url: url, limit: configuration.maxResponseBytes)
        case CURLE_WRITE_ERROR where sink.overflowed:
            return .responseTooLarge(url: url, limit: configuration.maxResponseBytes)
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM:
            return .tls(url: url, detail: detail)
        default:
            return .transport(url: url, code: Int(code.rawValue), detail: detail)
        }
    }
}

/// Collects one response's headers and body, refusing bodies beyond a cap.
private final class ResponseSink {
    let limit: Int
    var body = Data()
    var headers: [String: String] = [:]
    var overflowed = false

    init(limit: Int) { self.limit = limit }

    func appendBody(_ pointer: UnsafeRawPointer, _ count: Int) -> Bool {
        if body.count + count > limit {
            overflowed = true
            return false
        }
        body.append(pointer.assumingMemoryBound(to: UInt8.self), count: count)
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
}

private func curlWriteBody(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let data, let context else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
    let bytes = size * count
    return sink.appendBody(UnsafeRawPointer(data), bytes) ? bytes : 0
}

private func curlWriteHeader(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let data, let context else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
    let bytes = size * count
    let line = String(decoding: UnsafeRawBufferPointer(start: data, count: bytes), as: UTF8.self)
    sink.appendHeader(line)
    return bytes
}
