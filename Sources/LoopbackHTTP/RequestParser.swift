import Foundation

/// Reads one HTTP/1.1 request (head plus `Content-Length` body) from a connection, within the
/// server's ``LoopbackHTTPLimits``.
enum RequestParser {
    /// Why a request could not be read; `status` is what the client is told, nil means just hang up.
    struct Failure: Error {
        var status: Int?
        var message: String
    }

    /// Blocks (on a pool thread) until a whole request has arrived, the client hangs up, a limit
    /// is broken, or `deadline` passes (408).
    static func read(from connection: SocketConnection, limits: LoopbackHTTPLimits,
                     deadline: ContinuousClock.Instant) throws -> LoopbackHTTPRequest {
        let timeoutMessage = "the request was not complete within \(limits.requestTimeout)"
        var buffer = Data()
        let separator = Data("\r\n\r\n".utf8)
        var headEnd: Range<Data.Index>?
        var searchFrom = buffer.startIndex
        while headEnd == nil {
            switch connection.receive(deadline: deadline) {
            case .data(let chunk): buffer.append(chunk)
            case .closed:
                throw Failure(status: buffer.isEmpty ? nil : 400, message: "connection closed inside the request head")
            case .timedOut:
                throw Failure(status: buffer.isEmpty ? nil : 408, message: timeoutMessage)
            }
            headEnd = buffer.range(of: separator, in: searchFrom..<buffer.endIndex)
            searchFrom = max(buffer.startIndex, buffer.endIndex - (separator.count - 1))
            let headBytes = headEnd.map { $0.lowerBound - buffer.startIndex } ?? buffer.count
            if headBytes > limits.maxHeaderBytes {
                throw Failure(status: 431, message: "request head larger than \(limits.maxHeaderBytes) bytes")
            }
        }
        let head = String(decoding: buffer[buffer.startIndex..<headEnd!.lowerBound], as: UTF8.self)
        var body = Data(buffer[headEnd!.upperBound...])

        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ", omittingEmptySubsequences: true)
        guard requestLine.count == 3, requestLine[2].hasPrefix("HTTP/1.") else {
            throw Failure(status: 400, message: "malformed request line")
        }
        let method = requestLine[0].uppercased()
        var headers: [(name: String, value: String)] = []
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { throw Failure(status: 400, message: "malformed header line") }
            headers.append((String(line[..<colon]).trimmingCharacters(in: .whitespaces),
                            String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)))
        }
        let lookup = { (name: String) in headers.first { $0.name.lowercased() == name }?.value }
        let lengthText = lookup("content-length")
        if method == "GET" || method == "HEAD" {
            if lookup("transfer-encoding") != nil || (lengthText.map { Int($0) != 0 } ?? false) {
                throw Failure(status: 400, message: "a \(method) request must not have a body")
            }
        }
        if lookup("transfer-encoding") != nil {
            throw Failure(status: 411, message: "chunked request bodies are not supported: send Content-Length")
        }
        if let lengthText {
            guard let length = Int(lengthText), length >= 0 else { throw Failure(status: 400, message: "bad Content-Length") }
            guard length <= limits.maxBodyBytes else {
                throw Failure(status: 413, message: "request body over \(limits.maxBodyBytes) bytes")
            }
            while body.count < length {
                switch connection.receive(deadline: deadline) {
                case .data(let chunk): body.append(chunk)
                case .closed: throw Failure(status: nil, message: "connection closed inside the body")
                case .timedOut: throw Failure(status: 408, message: timeoutMessage)
                }
            }
            body = body.prefix(length)
        } else {
            body = Data()
        }

        let (path, query) = splitTarget(String(requestLine[1]))
        return LoopbackHTTPRequest(method: method, path: path, queryItems: query, headers: headers, body: body)
    }

    /// Splits a request target (origin or absolute form) into a decoded path and query items.
    static func splitTarget(_ target: String) -> (String, [(name: String, value: String)]) {
        var rest = Substring(target)
        if let scheme = rest.range(of: "://") {
            rest = rest[scheme.upperBound...]
            rest = rest.firstIndex(of: "/").map { rest[$0...] } ?? "/"
        }
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let parts = rest.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = decode(String(parts[0]), plusIsSpace: false)
        var items: [(name: String, value: String)] = []
        if parts.count == 2 {
            for pair in parts[1].split(separator: "&") where !pair.isEmpty {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                items.append((decode(String(kv[0]), plusIsSpace: true),
                              kv.count == 2 ? decode(String(kv[1]), plusIsSpace: true) : ""))
            }
        }
        return (path.isEmpty ? "/" : path, items)
    }

    private static func decode(_ text: String, plusIsSpace: Bool) -> String {
        let spaced = plusIsSpace ? text.replacingOccurrences(of: "+", with: " ") : text
        return spaced.removingPercentEncoding ?? spaced
    }
}
