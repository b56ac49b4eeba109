import BlockingIO
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small HTTP/1.1 server: one request per connection (`Connection: close`). Built for test
/// doubles (the MISO simulator) and for the daemon's `/metrics`, `/healthz` and `/readyz`.
///
/// ```swift
/// let server = LoopbackHTTPServer(host: "127.0.0.1", port: 0) { request in
///     request.path == "/healthz" ? .text("ok") : .text("not found", status: 404)
/// }
/// let port = try server.start()
/// // ...
/// await server.stop()
/// ```
///
/// or, inside a task that is cancelled to stop it (a swift-service-lifecycle `Service`):
///
/// ```swift
/// try await server.run()
/// ```
///
/// Every blocking socket call (poll, accept, recv, send, and the sleeps of a throttled or paced
/// body) runs on the server's own ``BlockingIOPool`` threads, never on Swift's cooperative pool; the
/// handler runs as async code in a child task per connection, so handlers run concurrently and
/// must be `Sendable`. A handler that throws answers 500 with the error's description.
///
/// The server protects itself with ``LoopbackHTTPLimits``: a cap on connections (excess answered
/// 503), a bound on the request head (431), a deadline for the whole request (408, then close), no
/// body on GET or HEAD (400), and a stall timeout for writes. Each connection slot has a
/// one-thread pool of its own (as do the accept loop and each rejection slot), so one slow client
/// holds at most its own slot and its blocking calls never queue in front of another's.
public final class LoopbackHTTPServer: Sendable {
    /// Answers one request. It may suspend (for example to await an async readiness check); it is
    /// cancelled when the server stops.
    public typealias Handler = @Sendable (LoopbackHTTPRequest) async throws -> LoopbackHTTPResponse

    /// The listen address, a dotted IPv4 address.
    public let host: String
    /// The port asked for (0 = any free port); see ``port`` for the one bound.
    public let requestedPort: Int
    /// What the server accepts from clients.
    public let limits: LoopbackHTTPLimits

    private let handler: Handler
    /// Runs the accept loop.
    private let acceptPool: BlockingIOPool
    /// One single-thread pool per connection slot: a connection's blocking calls run on its slot's
    /// thread only. (One shared pool could queue a call behind another connection's long read when
    /// it wakes an idle thread twice, so a slow client could delay others.)
    private let slotPools: [BlockingIOPool]
    /// One single-thread pool per rejection slot.
    private let rejectionPools: [BlockingIOPool]
    private let state: Mutex<State>

    /// Rejections (503 to connections over the cap) handled at once; more are closed outright.
    private static let rejectionSlots = 8

    private struct State {
        var session: Session?
        /// Open connections of the current session, by descriptor (until just before they close).
        var connections: [Int32: SocketConnection] = [:]
        /// Connection slots not in use; a slot is in use from accept until its last call has run.
        var freeSlots: [Int]
        var freeRejectionSlots: [Int]
        /// TCP connections accepted since the server was made.
        var accepted = 0
    }

    /// One bind-to-stop lifetime of the server.
    private final class Session: Sendable {
        let listenFD: Int32
        let port: Int
        private let stopRequested = Atomic<Bool>(false)
        /// Resolved when the accept loop has closed the listening socket.
        let acceptLoopDone = AsyncOneShot<Void>()
        /// Resolved when the accept loop and every connection have finished.
        let finished = AsyncOneShot<Void>()

        init(listenFD: Int32, port: Int) {
            self.listenFD = listenFD
            self.port = port
        }

        var isStopping: Bool { stopRequested.load(ordering: .acquiring) }

        /// True for the first caller only.
        func requestStop() -> Bool {
            !stopRequested.exchange(true, ordering: .acquiringAndReleasing)
        }
    }

    /// A server for `host` (a dotted IPv4 address; `0.0.0.0` for every interface) and `port`
    /// (0 = any free port). Nothing is bound until ``start()`` or ``run(onListening:)``.
    ///
    /// - Parameters:
    ///   - host: the IPv4 address to listen on.
    ///   - port: the TCP port, 0...65535 (0 = any free port).
    ///   - limits: connection cap, header and body bounds, request deadline, write stall timeout.
    ///   - handler: answers each request.
    public init(host: String = "127.0.0.1", port: Int, limits: LoopbackHTTPLimits = LoopbackHTTPLimits(),
                handler: @escaping Handler) {
        self.host = host
        self.requestedPort = port
        self.limits = limits
        self.handler = handler
        // A thread for each connection slot, the accept loop and each rejection slot (started on
        // demand): no connection ever waits for a thread another one holds.
        self.acceptPool = BlockingIOPool(name: "loopback-http-accept", maximumThreads: 1)
        self.slotPools = (0..<limits.maxConnections).map {
            BlockingIOPool(name: "loopback-http-\($0)", maximumThreads: 1)
        }
        self.rejectionPools = (0..<Self.rejectionSlots).map {
            BlockingIOPool(name: "loopback-http-reject-\($0)", maximumThreads: 1)
        }
        self.state = Mutex(State(freeSlots: Array((0..<limits.maxConnections).reversed()),
                                 freeRejectionSlots: Array((0..<Self.rejectionSlots).reversed())))
    }

    /// The bound port while the server is running (between ``start()`` or ``run(onListening:)``
    /// and the end of ``stop()``), else nil.
    public var port: Int? {
        state.withLock { $0.session?.port }
    }

    /// TCP connections accepted so far (with keep-alive, fewer than requests served).
    public var acceptedConnections: Int {
        state.withLock { $0.accepted }
    }

    /// Binds, listens, and starts serving in the background; returns the bound port at once.
    /// Stop it with ``stop()``.
    ///
    /// - Throws: ``LoopbackHTTPError`` when the address is invalid, the port is taken, or the server
    ///   is already running.
    @discardableResult
    public func start() throws -> Int {
        let session = try openListener()
        Task { await self.serve(session) }
        return session.port
    }

    /// Binds, listens and serves in the calling task until that task is cancelled, then stops
    /// (as ``stop()`` does) and returns. Made for a swift-service-lifecycle `Service`'s `run()`.
    ///
    /// - Parameter onListening: called once with the bound port, when connections are accepted.
    /// - Throws: ``LoopbackHTTPError`` when binding fails or the server is already running;
    ///   cancellation itself is not an error.
    public func run(onListening: (Int) -> Void = { _ in }) async throws {
        let session = try openListener()
        onListening(session.port)
        await withTaskCancellationHandler {
            await serve(session)
        } onCancel: {
            self.beginStop(session)
        }
    }

    /// Stops accepting, breaks open connections (a slow or throttled stream ends early, a
    /// handler still running is cancelled), and returns once every connection is closed and the
    /// port is released. Safe to call more than once, and when the server is not running.
    public func stop() async {
        guard let session = state.withLock({ $0.session }) else { return }
        beginStop(session)
        try? await session.finished.value
    }

    // MARK: - Binding and stopping

    private func openListener() throws -> Session {
        guard (0...65535).contains(requestedPort) else { throw LoopbackHTTPError.invalidPort(requestedPort) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(requestedPort).bigEndian)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { throw LoopbackHTTPError.invalidHost(host) }

        return try state.withLock { state in
            guard state.session == nil else { throw LoopbackHTTPError.alreadyStarted }
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
            let session = Session(listenFD: fd, port: Int(UInt16(bigEndian: address.sin_port)))
            state.session = session
            return session
        }
    }

    /// Wakes the accept loop and breaks every open connection; returns at once.
    private func beginStop(_ session: Session) {
        guard session.requestStop() else { return }
        state.withLock { state in
            // Under the lock: a connection unregisters before it closes, so no descriptor here has
            // been closed (and perhaps reused) yet.
            shutdown(session.listenFD, Int32(SHUT_RDWR))
            if state.session === session {
                for connection in state.connections.values { connection.abort() }
            }
        }
    }

    // MARK: - Serving

    /// The accept loop on a pool thread hands connections over; each is served in a child task.
    /// Returns when the accept loop has ended and every connection has closed.
    private func serve(_ session: Session) async {
        let (accepted, continuation) = AsyncStream.makeStream(of: Admitted.self)
        continuation.onTermination = { [self] _ in beginStop(session) }
        acceptPool.execute { [self] in acceptLoop(session, continuation) }

        await withDiscardingTaskGroup { group in
            for await admitted in accepted {
                group.addTask { await self.serveConnection(admitted.connection, slot: admitted.slot) }
            }
            // The loop ends only when the server stops (or the calling task is cancelled).
            group.cancelAll()
        }
        try? await session.acceptLoopDone.value
        state.withLock { state in
            if state.session === session {
                state.session = nil
                state.connections = [:]
            }
        }
        session.finished.resolve(.success(()))
    }

    /// A connection the accept loop let in, and the slot it holds.
    private struct Admitted: Sendable {
        let connection: SocketConnection
        let slot: Int
    }

    /// Runs on the accept pool's thread until the server stops.
    private func acceptLoop(_ session: Session, _ continuation: AsyncStream<Admitted>.Continuation) {
        defer {
            close(session.listenFD)
            continuation.finish()
            session.acceptLoopDone.resolve(.success(()))
        }
        while !session.isStopping {
            var descriptor = pollfd(fd: session.listenFD, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 250)
            if ready <= 0 { continue } // timeout or EINTR: re-check for a stop
            let client = accept(session.listenFD, nil, nil)
            if client < 0 {
                if errno == EINTR || errno == ECONNABORTED || errno == EAGAIN { continue }
                if session.isStopping { return }
                usleep(10_000) // e.g. EMFILE: back off instead of spinning (on this pool thread)
                continue
            }
            let connection = SocketConnection(fd: client)
            state.withLock { $0.accepted += 1 }
            enum Admission { case serve(slot: Int), reject(slot: Int), drop }
            let admission: Admission = state.withLock { state in
                if session.isStopping { return .drop }
                if let slot = state.freeSlots.popLast() {
                    state.connections[client] = connection
                    return .serve(slot: slot)
                }
                if let slot = state.freeRejectionSlots.popLast() { return .reject(slot: slot) }
                return .drop
            }
            switch admission {
            case .serve(let slot):
                if case .terminated = continuation.yield(Admitted(connection: connection, slot: slot)) {
                    unregister(connection)
                    connection.closeNow()
                    state.withLock { $0.freeSlots.append(slot) }
                    return
                }
            case .reject(let slot):
                rejectionPools[slot].execute { [self] in
                    reject(connection)
                    state.withLock { $0.freeRejectionSlots.append(slot) }
                }
            case .drop:
                connection.closeNow()
            }
        }
    }

    /// Answers a connection over the cap with 503 and closes it (on a pool thread).
    private func reject(_ connection: SocketConnection) {
        connection.setSendTimeout(.seconds(1))
        let response = LoopbackHTTPResponse.text(
            "too many connections (the limit is \(limits.maxConnections)): retry shortly\n", status: 503,
            headers: [("Retry-After", "1")])
        try? ResponseWriter.write(response, to: connection, headOnly: false)
        connection.closeGracefully()
    }

    /// Reads the request, awaits the handler, writes the response and closes: every blocking step
    /// on the pool, the handler as async code. With ``LoopbackHTTPLimits/keepAliveIdle`` set, a
    /// connection whose client did not ask to close and whose answer is a plain body stays open for
    /// the next request, until it has been idle that long.
    private func serveConnection(_ connection: SocketConnection, slot: Int) async {
        let pool = slotPools[slot]
        defer { state.withLock { $0.freeSlots.append(slot) } }
        let limits = self.limits
        connection.setSendTimeout(limits.sendStallTimeout)
        var first = true
        while !Task.isCancelled {
            // The first request has the request timeout from accept; a later one the idle time to begin.
            let deadline = ContinuousClock.now + (first ? limits.requestTimeout : min(limits.requestTimeout, limits.keepAliveIdle ?? .zero))
            first = false
            let response: LoopbackHTTPResponse?
            var headOnly = false
            var clientKeepsAlive = false
            do {
                let request = try await pool.run { try RequestParser.read(from: connection, limits: limits, deadline: deadline) }
                headOnly = request.method == "HEAD"
                clientKeepsAlive = request.header("Connection")?.lowercased() != "close"
                do {
                    response = try await handler(request)
                } catch {
                    response = .text("handler failed: \(error)\n", status: 500)
                }
            } catch let failure as RequestParser.Failure {
                response = failure.status.map { .text(failure.message + "\n", status: $0) }
            } catch {
                response = nil // cancelled: the server is stopping
            }
            guard let response, !Task.isCancelled else { break }
            var keepAlive = false
            if limits.keepAliveIdle != nil, clientKeepsAlive, response.throttle == nil, case .bytes = response.body { keepAlive = true }
            let sent: Bool = (try? await pool.run { [headOnly, keepAlive] in
                try ResponseWriter.write(response, to: connection, headOnly: headOnly, keepAlive: keepAlive)
                return true
            }) ?? false
            if !sent || !keepAlive { break }
        }
        unregister(connection)
        if Task.isCancelled {
            connection.closeNow()
        } else {
            do { try await pool.run { connection.closeGracefully() } } catch { connection.closeNow() }
        }
    }

    private func unregister(_ connection: SocketConnection) {
        state.withLock { _ = $0.connections.removeValue(forKey: connection.fd) }
    }
}
