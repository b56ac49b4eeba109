import CHiredis
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One blocking connection to Redis over hiredis, with typed replies. No hiredis type leaves
/// this file.
///
/// Connecting also authenticates (AUTH), selects the database (SELECT) and PINGs, so a usable
/// connection is proven at once. After a broken connection every command throws
/// ``RedisConnectionError/connectionLost(_:)`` until ``reconnect()`` succeeds.
///
/// Not thread-safe: guard one connection with a lock (``RedisHashRegistry`` does).
public final class RedisConnection {
    public let configuration: RedisConfiguration
    private var context: UnsafeMutablePointer<redisContext>?

    /// Connects, authenticates and selects the database.
    public init(configuration: RedisConfiguration) throws {
        self.configuration = configuration
        try connect()
    }

    deinit { close() }

    /// True while the connection is open and has not failed.
    public var isConnected: Bool { context != nil }

    /// Drops the current connection (if any) and opens a new one.
    public func reconnect() throws {
        close()
        try connect()
    }

    /// Closes the connection; commands then throw until ``reconnect()``.
    public func close() {
        if let context { redisFree(context) }
        context = nil
    }

    /// Sends one command (binary-safe arguments) and returns its reply. An error reply is
    /// returned as ``RedisReply/error(_:)``, not thrown; a broken connection throws
    /// ``RedisConnectionError/connectionLost(_:)``.
    public func command(_ arguments: [String]) throws -> RedisReply {
        guard let context else {
            throw RedisConnectionError.connectionLost("not connected to Redis at \(configuration.address) (the connection was lost earlier) — is redis-server running?")
        }
        let raw = Self.withArgv(arguments) { argc, argv, lengths in
            redisCommandArgv(context, argc, argv, lengths)
        }
        guard let raw else {
            var reason = Self.errorText(context)
            if reason == String(cString: strerror(EAGAIN)) {
                reason = "no reply within the command timeout of \(configuration.commandTimeout) s"
            }
            close()
            let name = arguments.first ?? "command"
            throw RedisConnectionError.connectionLost(scrub("lost connection to Redis at \(configuration.address) during \(name): \(reason) — is redis-server running?"))
        }
        defer { freeReplyObject(raw) }
        return Self.convert(raw.assumingMemoryBound(to: redisReply.self))
    }

    /// Sends a command and throws ``RedisConnectionError/commandFailed(_:)`` for an error reply.
    @discardableResult
    public func checkedCommand(_ arguments: [String]) throws -> RedisReply {
        let reply = try command(arguments)
        if case .error(let message) = reply {
            throw RedisConnectionError.commandFailed(scrub("Redis at \(configuration.address) refused \(arguments.first ?? "command"): \(message)"))
        }
        return reply
    }

    // MARK: - Connecting

    /// hiredis writes with plain `write(2)`: on a socket the server has closed that raises
    /// SIGPIPE, whose default action kills the process. Ignore it (unless the program installed its
    /// own handler) so the write fails with EPIPE and the connection is reported lost instead.
    private static let brokenPipeIgnored: Void = {
        var current = sigaction()
        if sigaction(SIGPIPE, nil, &current) == 0, current.__sigaction_handler.sa_handler == nil {
            signal(SIGPIPE, SIG_IGN)
        }
    }()

    private func connect() throws {
        _ = Self.brokenPipeIgnored
        let address = configuration.address
        guard let newContext = redisConnectWithTimeout(configuration.host, Int32(configuration.port),
                                                       Self.makeTimeval(seconds: configuration.connectTimeout)) else {
            throw RedisConnectionError.cannotConnect("cannot connect to Redis at \(address): out of memory")
        }
        if newContext.pointee.err != 0 {
            let reason = Self.errorText(newContext)
            redisFree(newContext)
            throw RedisConnectionError.cannotConnect("cannot connect to Redis at \(address): \(reason) — is redis-server running? check --redis-host/--redis-port")
        }
        if redisSetTimeout(newContext, Self.makeTimeval(seconds: configuration.commandTimeout)) != REDIS_OK {
            let reason = Self.errorText(newContext)
            redisFree(newContext)
            throw RedisConnectionError.cannotConnect("cannot set the command timeout on the connection to Redis at \(address): \(reason)")
        }
        context = newContext
        do {
            try handshake()
        } catch {
            close()
            throw error
        }
    }

    /// AUTH (when a password is set), SELECT (when the database is not 0), then PING.
    private func handshake() throws {
        let address = configuration.address
        if let password = configuration.password {
            var arguments = ["AUTH"]
            if let username = configuration.username { arguments.append(username) }
            arguments.append(password)
            if case .error(let message) = try command(arguments) {
                let who = configuration.username.map { "user '\($0)' and the given password" } ?? "the given password"
                throw RedisConnectionError.authenticationFailed(scrub("Redis at \(address) rejected \(who): \(message) — check REDIS_PASSWORD or registry.password in collectors.yaml"))
            }
        }
        if configuration.database != 0, case .error(let message) = try command(["SELECT", String(configuration.database)]) {
            if let explained = Self.explain(message, address: address) {
                throw RedisConnectionError.authenticationFailed(scrub(explained))
            }
            throw RedisConnectionError.databaseSelectFailed(scrub("Redis at \(address) cannot select database \(configuration.database): \(message) — check --redis-db"))
        }
        switch try command(["PING"]) {
        case .status, .string:
            return
        case .error(let message):
            if let explained = Self.explain(message, address: address) {
                throw RedisConnectionError.authenticationFailed(scrub(explained))
            }
            throw RedisConnectionError.commandFailed(scrub("Redis at \(address) refused PING: \(message)"))
        case let other:
            throw RedisConnectionError.unexpectedReply("Redis at \(address) answered PING with \(other)")
        }
    }

    /// A clearer message for the server's authentication errors, or nil for other errors.
    private static func explain(_ message: String, address: String) -> String? {
        if message.hasPrefix("NOAUTH") {
            return "Redis at \(address) requires a password (\(message)) — set REDIS_PASSWORD or registry.password in collectors.yaml"
        }
        if message.hasPrefix("WRONGPASS") {
            return "Redis at \(address) rejected the credentials (\(message)) — check REDIS_PASSWORD or registry.password in collectors.yaml"
        }
        return nil
    }

    /// Removes the password from a message, in case a server ever echoes it.
    private func scrub(_ message: String) -> String {
        guard let password = configuration.password, !password.isEmpty else { return message }
        return message.replacingOccurrences(of: password, with: "***")
    }

    // MARK: - hiredis plumbing

    private static func makeTimeval(seconds: Double) -> timeval {
        let whole = Int(seconds.rounded(.down))
        let micro = Int(((seconds - Double(whole)) * 1_000_000).rounded())
        return timeval(tv_sec: whole, tv_usec: micro)
    }

    private static func errorText(_ context: UnsafeMutablePointer<redisContext>) -> String {
        var errstr = context.pointee.errstr
        let text = withUnsafeBytes(of: &errstr) { bytes -> String in
            let end = bytes.firstIndex(of: 0) ?? bytes.count
            return String(decoding: bytes[..<end], as: UTF8.self)
        }
        if text.isEmpty { return "error \(context.pointee.err)" }
        return text
    }

    /// Calls `body` with C copies of `arguments` (argc, argv, argvlen), freed afterwards.
    private static func withArgv<R>(_ arguments: [String],
                                    _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> R) -> R {
        let buffers: [UnsafeMutablePointer<CChar>] = arguments.map { argument in
            let bytes = Array(argument.utf8)
            let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: max(bytes.count, 1))
            bytes.withUnsafeBytes { source in
                UnsafeMutableRawPointer(buffer).copyMemory(from: source.baseAddress ?? UnsafeRawPointer(buffer), byteCount: bytes.count)
            }
            return buffer
        }
        defer { buffers.forEach { $0.deallocate() } }
        var argv: [UnsafePointer<CChar>?] = buffers.map { UnsafePointer($0) }
        let lengths: [Int] = arguments.map { $0.utf8.count }
        return argv.withUnsafeMutableBufferPointer { argvBuffer in
            lengths.withUnsafeBufferPointer { lengthBuffer in
                body(Int32(arguments.count), argvBuffer.baseAddress!, lengthBuffer.baseAddress!)
            }
        }
    }

    private static func convert(_ reply: UnsafeMutablePointer<redisReply>) -> RedisReply {
        let value = reply.pointee
        func text() -> String {
            guard let str = value.str else { return "" }
            return String(decoding: UnsafeRawBufferPointer(start: str, count: value.len), as: UTF8.self)
        }
        switch value.type {
        case REDIS_REPLY_STATUS: return .status(text())
        case REDIS_REPLY_ERROR: return .error(text())
        case REDIS_REPLY_INTEGER: return .integer(Int(value.integer))
        case REDIS_REPLY_STRING: return .string(text())
        case REDIS_REPLY_NIL: return .null
        case REDIS_REPLY_ARRAY:
            var elements: [RedisReply] = []
            elements.reserveCapacity(value.elements)
            for index in 0..<value.elements {
                if let element = value.element?[index] { elements.append(convert(element)) } else { elements.append(.null) }
            }
            return .array(elements)
        default:
            return .error("unknown reply type \(value.type)")
        }
    }
}
