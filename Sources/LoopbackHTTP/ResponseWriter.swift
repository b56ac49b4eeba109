import Foundation

/// Serialises a ``LoopbackHTTPResponse`` onto a connection: status line, headers, framing, body.
enum ResponseWriter {
    /// Framing fields the server owns; a handler's copies are dropped.
    private static let reserved: Set<String> = ["content-length", "transfer-encoding", "connection"]

    /// Blocks (on a pool thread) until the response is sent; a stream's producer runs here too.
    static func write(_ response: LoopbackHTTPResponse, to connection: SocketConnection, headOnly: Bool, keepAlive: Bool = false) throws {
        var head = "HTTP/1.1 \(response.status) \(reasonPhrase(response.status))\r\n"
        for (name, value) in response.headers where !reserved.contains(name.lowercased()) {
            head += "\(name): \(value)\r\n"
        }
        if !response.headers.contains(where: { $0.name.lowercased() == "server" }) { head += "Server: LoopbackHTTP\r\n" }
        head += keepAlive ? "Connection: keep-alive\r\n" : "Connection: close\r\n"
        switch response.body {
        case .bytes(let data):
            head += "Content-Length: \(data.count)\r\n\r\n"
            guard let throttle = response.throttle, !headOnly else {
                // Head and a small body in one write; a large body goes on as its own write.
                if data.count <= 64 * 1024 {
                    try connection.sendAll(Data(head.utf8) + (headOnly ? Data() : data))
                } else {
                    try connection.sendAll(Data(head.utf8))
                    if !headOnly { try connection.sendAll(data) }
                }
                return
            }
            try connection.sendAll(Data(head.utf8))
            let writer = LoopbackHTTPBodyWriter(connection: connection, declaredLength: data.count, throttle: throttle)
            try writer.write(data)
        case .stream(let declaredLength, let producer):
            head += declaredLength.map { "Content-Length: \($0)\r\n\r\n" } ?? "Transfer-Encoding: chunked\r\n\r\n"
            try connection.sendAll(Data(head.utf8))
            guard !headOnly else { return }
            let writer = LoopbackHTTPBodyWriter(connection: connection, declaredLength: declaredLength,
                                                throttle: response.throttle)
            try producer(writer)
            try writer.finish()
        }
    }

    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 201: return "Created"
        case 202: return "Accepted"
        case 204: return "No Content"
        case 301: return "Moved Permanently"
        case 302: return "Found"
        case 304: return "Not Modified"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 411: return "Length Required"
        case 413: return "Content Too Large"
        case 429: return "Too Many Requests"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        default: return "Status \(status)"
        }
    }
}
