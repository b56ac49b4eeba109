import Foundation

/// What a handler answers: a status, header fields and a body that is either ready bytes or a stream.
///
/// The server adds `Content-Length` (or chunked framing for a stream of unknown length) and
/// `Connection: close` itself; any such fields in ``headers`` are ignored.
public struct LoopbackHTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: LoopbackHTTPBody
    /// When set, the body (ready bytes or a stream) is sent at about this rate; see ``throttled(_:)``.
    public var throttle: LoopbackHTTPThrottle?

    public init(status: Int, headers: [(name: String, value: String)] = [], body: LoopbackHTTPBody = .bytes(Data()),
                throttle: LoopbackHTTPThrottle? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.throttle = throttle
    }

    /// This response with its body sent at about `throttle.bytesPerSecond` (nil: as fast as the
    /// client reads). Framing and `Content-Length` do not change; a streamed body is throttled as it
    /// is produced.
    public func throttled(_ throttle: LoopbackHTTPThrottle?) -> LoopbackHTTPResponse {
        var copy = self
        copy.throttle = throttle
        return copy
    }

    /// A response with a ready body.
    public init(status: Int, headers: [(name: String, value: String)] = [], data: Data) {
        self.init(status: status, headers: headers, body: .bytes(data))
    }

    /// A JSON body with `Content-Type: application/json`.
    public static func json(_ data: Data, status: Int = 200, headers: [(name: String, value: String)] = []) -> LoopbackHTTPResponse {
        LoopbackHTTPResponse(status: status, headers: [("Content-Type", "application/json")] + headers, data: data)
    }

    /// A UTF-8 text body with the given content type (plain text by default).
    public static func text(_ text: String, status: Int = 200, contentType: String = "text/plain; charset=utf-8",
                            headers: [(name: String, value: String)] = []) -> LoopbackHTTPResponse {
        LoopbackHTTPResponse(status: status, headers: [("Content-Type", contentType)] + headers, data: Data(text.utf8))
    }

    /// Sends `body` in `chunkCount` pieces with `delay` seconds before each piece after the first
    /// (a slow server). `Content-Length` is announced truthfully up front.
    public static func paced(status: Int = 200, headers: [(name: String, value: String)] = [], body: Data,
                             chunkCount: Int, delay: Double) -> LoopbackHTTPResponse {
        let pieces = max(1, min(chunkCount, max(1, body.count)))
        let size = (body.count + pieces - 1) / max(1, pieces)
        return LoopbackHTTPResponse(status: status, headers: headers, body: .stream(declaredLength: body.count) { writer in
            var offset = body.startIndex
            var first = true
            while offset < body.endIndex {
                if !first { writer.pause(delay) }
                first = false
                let end = body.index(offset, offsetBy: size, limitedBy: body.endIndex) ?? body.endIndex
                try writer.write(body[offset..<end])
                offset = end
            }
        })
    }

    /// Announces `declaredLength` bytes (which should exceed `body.count`), sends `body`, then closes the
    /// connection: the client sees a body cut short.
    public static func truncated(status: Int = 200, headers: [(name: String, value: String)] = [], body: Data,
                                 declaredLength: Int) -> LoopbackHTTPResponse {
        LoopbackHTTPResponse(status: status, headers: headers, body: .stream(declaredLength: declaredLength) { writer in
            try writer.write(body)
        })
    }
}

/// A response body.
public enum LoopbackHTTPBody: Sendable {
    /// Bytes sent at once with a truthful `Content-Length`.
    case bytes(Data)
    /// Bytes produced while the response is sent. With a `declaredLength` that is announced as
    /// `Content-Length` (writes beyond it are dropped; writing fewer bytes makes a truncated response);
    /// with nil the body is sent with chunked transfer encoding.
    case stream(declaredLength: Int?, producer: @Sendable (LoopbackHTTPBodyWriter) throws -> Void)
}

/// A rate limit for a response body: the body goes out in chunks of ``chunkBytes``, each sent no
/// earlier than its share of the rate allows (measured from the first body byte, so the average
/// holds even when one sleep oversleeps). The sleeps happen on the server's blocking-I/O thread
/// for the connection and end early when the server stops or the client resets.
public struct LoopbackHTTPThrottle: Sendable, Equatable {
    /// Target rate, in body bytes per second (at least 1).
    public var bytesPerSecond: Int
    /// Bytes per write (at least 1); default 64 KiB.
    public var chunkBytes: Int

    public init(bytesPerSecond: Int, chunkBytes: Int = 64 * 1024) {
        self.bytesPerSecond = max(1, bytesPerSecond)
        self.chunkBytes = max(1, chunkBytes)
    }
}

/// Hands a streaming producer's bytes to the connection (applying framing, the declared length and
/// any throttle). It lives on the one blocking-I/O thread that sends the response, so it is not
/// `Sendable`: a producer uses it inside its own call and does not keep it.
public final class LoopbackHTTPBodyWriter {
    private let connection: SocketConnection
    private let chunked: Bool
    private var remaining: Int?
    private let throttle: LoopbackHTTPThrottle?
    private var throttleStart: ContinuousClock.Instant?
    /// Bytes written to the body so far (framing not counted).
    public private(set) var bytesWritten = 0

    init(connection: SocketConnection, declaredLength: Int?, throttle: LoopbackHTTPThrottle?) {
        self.connection = connection
        self.chunked = declaredLength == nil
        self.remaining = declaredLength
        self.throttle = throttle
    }

    /// Sends `data`. Throws ``LoopbackHTTPError/peerClosed`` when the client went away or the server stopped.
    public func write<Bytes: DataProtocol>(_ data: Bytes) throws {
        var payload = (data as? Data) ?? Data(data)
        if let left = remaining {
            if payload.count > left { payload = payload.prefix(left) }
            remaining = left - payload.count
        }
        guard !payload.isEmpty else { return }
        guard let throttle else { return try send(payload) }
        var offset = payload.startIndex
        while offset < payload.endIndex {
            let end = payload.index(offset, offsetBy: throttle.chunkBytes, limitedBy: payload.endIndex) ?? payload.endIndex
            try waitForTurn(throttle)
            try send(payload[offset..<end])
            offset = end
        }
    }

    /// Waits `seconds` before the next write (used to make a slow response); returns early when the
    /// connection breaks (the next write then throws).
    public func pause(_ seconds: Double) {
        guard seconds > 0 else { return }
        _ = connection.pause(.milliseconds(Int64(min(seconds, 3600) * 1000)))
    }

    /// Sleeps until the bytes sent so far are due at the throttle's rate.
    private func waitForTurn(_ throttle: LoopbackHTTPThrottle) throws {
        guard let start = throttleStart else {
            throttleStart = .now
            return
        }
        let due = start + .seconds(Double(bytesWritten) / Double(throttle.bytesPerSecond))
        let now = ContinuousClock.now
        if due > now, !connection.pause(due - now) { throw LoopbackHTTPError.peerClosed }
    }

    private func send(_ payload: Data) throws {
        if chunked {
            try connection.sendAll(Data(String(payload.count, radix: 16).utf8) + Data("\r\n".utf8) + payload + Data("\r\n".utf8))
        } else {
            try connection.sendAll(payload)
        }
        bytesWritten += payload.count
    }

    /// Ends chunked framing; called by the server after the producer returns.
    func finish() throws {
        if chunked { try connection.sendAll(Data("0\r\n\r\n".utf8)) }
    }
}
