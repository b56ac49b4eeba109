/// What a ``LoopbackHTTPServer`` accepts from clients. The defaults suit a pod listening on
/// 0.0.0.0: no single client, slow or hostile, can hold more than one connection slot, and
/// `/healthz` keeps answering while one does.
public struct LoopbackHTTPLimits: Sendable, Equatable {
    /// Connections served at once; one more is answered `503 Service Unavailable` and closed.
    public var maxConnections: Int
    /// The most bytes the request line plus header fields may take; more is answered
    /// `431 Request Header Fields Too Large`.
    public var maxHeaderBytes: Int
    /// The largest request body (`Content-Length`) accepted; more is answered `413`.
    public var maxBodyBytes: Int
    /// How long a client has, from the moment it is accepted, to send its whole request (head and
    /// body). Past it the server answers `408 Request Timeout` and closes.
    public var requestTimeout: Duration
    /// How long one write of the response may make no progress (a client that stopped reading)
    /// before the server gives up on the connection.
    public var sendStallTimeout: Duration
    /// How long a connection may stay open, idle, for another request (HTTP/1.1 keep-alive); nil
    /// answers one request per connection (`Connection: close`), the default.
    public var keepAliveIdle: Duration?

    /// - Parameters:
    ///   - maxConnections: connections served at once (at least 1); default 64.
    ///   - maxHeaderBytes: request line plus headers (at least 256); default 16 KiB.
    ///   - maxBodyBytes: request body; default 16 MiB.
    ///   - requestTimeout: time to receive the whole request; default 10 s.
    ///   - sendStallTimeout: time a response write may stall; default 30 s.
    public init(maxConnections: Int = 64, maxHeaderBytes: Int = 16 * 1024, maxBodyBytes: Int = 16 * 1024 * 1024,
                requestTimeout: Duration = .seconds(10), sendStallTimeout: Duration = .seconds(30), keepAliveIdle: Duration? = nil) {
        self.maxConnections = max(1, maxConnections)
        self.maxHeaderBytes = max(256, maxHeaderBytes)
        self.maxBodyBytes = max(0, maxBodyBytes)
        self.requestTimeout = requestTimeout
        self.sendStallTimeout = sendStallTimeout
        self.keepAliveIdle = keepAliveIdle
    }
}
