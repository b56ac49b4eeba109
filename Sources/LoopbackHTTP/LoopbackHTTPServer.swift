import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small blocking HTTP/1.1 server for loopback use: one thread per connection, one request per
/// connection (`Connection: close`). Built for test doubles (the MISO simulator) and for the daemon's
/// `/metrics`, `/healthz` and `/readyz`.
///
/// ```swift
/// let server = LoopbackHTTPServer(host: "127.0.0.1", port: 0) { request in
///     request.path == "/healthz" ? .text("ok") : .text("not found", status: 404)
/// }
/// let port = try server.start()
/// defer { server.stop() }
/// ```
///
/// A handler that throws answers 500 with the error's description. Handlers run concurrently on
/// connection threads and must be thread-safe.
public final class LoopbackHTTPServer: @unchecked Sendable {
    /// Answers one request.
    public typealias Handler = @Sendable (LoopbackHTTPRequest) throws -> LoopbackHTTPResponse

    public let host: String
    public let requestedPort: Int
    private let handler: Handler
    private let lock = NSLock()
    private var listenFD: Int32 = -1
    private var boundPort: Int?
    private var stopping = false
    private var connections: [Int32: SocketConnection] = [:]
    private let acceptLoopDone = DispatchSemaphore(value: 0)

    /// A server for `host` (a dotted IPv4 address) and `port` (0 = any free port); call ``start()``.
    public init(host: String = "127.0.0.1", port: Int, handler: @escaping Handler) {
        self.host = host
        self.requestedPort = port
        self.handler = handler
    }

    /// The bound port while running, else nil.
    public var port: Int? {
        lock.lock(); defer { lock.unlock() }
        return boundPort
    }

    /// Binds, listens and starts accepting on a background thread. Returns the bound port.
    @discardableResult
    public func start() throws -> Int {
        lock.lock()
        defer { lock.unlock() }
        guard listenFD < 0 else { throw LoopbackHTTPError.alreadyStarted }
        guard (0...65535).contains(requestedPort) else { throw LoopbackHTTPError.invalidPort(requestedPort) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(requestedPort).bigEndian)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { throw LoopbackHTTPError.invalidHost(host) }

        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw LoopbackHTTPError.socketFailed(detail: LoopbackHTTPError.errnoText()) }
        var on: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            let detail = LoopbackHTTPError.errnoText()
            close(fd)
            throw LoopbackHTTPError.bindFailed(host: host, port: requestedPort, detail: detail)
        }
        guard listen(fd, 128) == 0 else {
            let detail = LoopbackHTTPError.errnoText()
            close(fd)
            throw LoopbackHTTPError.listenFailed(detail: detail)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        listenFD = fd
        boundPort = port
        stopping = false
        let thread = Thread { [self] in acceptLoop(fd) }
        thread.name = "LoopbackHTTP accept :\(port)"
        thread.start()
        return port
    }

    /// Stops accepting, breaks open connections (a slow stream ends early) and waits for the accept
    /// thread to finish. Safe to call more than once.
    public func stop() {
        lock.lock()
        guard listenFD >= 0, !stopping else { lock.unlock(); return }
        stopping = true
        let fd = listenFD
        let open = Array(connections.values)
        lock.unlock()

        shutdown(fd, Int32(SHUT_RDWR))
        for connection in open { connection.abort() }
        _ = acceptLoopDone.wait(timeout: .now() + 5)
        close(fd)

        lock.lock()
        listenFD = -1
        boundPort = nil
        lock.unlock()
    }

    deinit { stop() }

    private func acceptLoop(_ fd: Int32) {
        defer { acceptLoopDone.signal() }
        while true {
            let client = accept(fd, nil, nil)
            if client < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                if isStopping { return }
                usleep(10_000) // e.g. EMFILE: back off instead of spinning
                continue
            }
            let connection = SocketConnection(fd: client)
            lock.lock()
            if stopping {
                lock.unlock()
                close(client)
                return
            }
            connections[client] = connection
            lock.unlock()
            let thread = Thread { [self] in
                serve(connection)
                lock.lock()
                connections[client] = nil
                lock.unlock()
                connection.closeGracefully()
            }
            thread.name = "LoopbackHTTP connection"
            thread.start()
        }
    }

    private var isStopping: Bool {
        lock.lock(); defer { lock.unlock() }
        return stopping
    }

    private func serve(_ connection: SocketConnection) {
        connection.setReadTimeout(seconds: 30)
        let request: LoopbackHTTPRequest
        do {
            request = try RequestParser.read(from: connection)
        } catch let failure as RequestParser.Failure {
            if let status = failure.status {
                try? ResponseWriter.write(.text(failure.message + "\n", status: status), to: connection, headOnly: false)
            }
            return
        } catch {
            return
        }
        let response: LoopbackHTTPResponse
        do {
            response = try handler(request)
        } catch {
            response = .text("handler failed: \(error)\n", status: 500)
        }
        try? ResponseWriter.write(response, to: connection, headOnly: request.method == "HEAD")
    }
}
