import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One accepted TCP connection: reads bounded by a deadline, writes bounded by a stall timeout, and
/// neither raises SIGPIPE. Every method blocks, so each is called on a ``BlockingIOPool`` thread,
/// except ``abort()`` and ``closeNow()``, which return at once.
///
/// It holds only the descriptor; the server closes it exactly once, after unregistering it, so
/// ``abort()`` from a stopping server never reaches a reused descriptor number.
final class SocketConnection: Sendable {
    let fd: Int32

    init(fd: Int32) {
        self.fd = fd
        #if canImport(Darwin)
        var on: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &on, socklen_t(MemoryLayout<Int32>.size))
        #endif
    }

    /// How long one `send` may block without progress before it fails (a client that stopped reading).
    func setSendTimeout(_ timeout: Duration) {
        var tv = Self.timeValue(timeout)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// What one read produced.
    enum Received {
        case data(Data)
        /// End of stream or an error.
        case closed
        /// The deadline passed first.
        case timedOut
    }

    /// Reads up to `max` bytes, waiting no later than `deadline`.
    func receive(max: Int = 16 * 1024, deadline: ContinuousClock.Instant) -> Received {
        var buffer = [UInt8](repeating: 0, count: max)
        while true {
            let left = Self.milliseconds(deadline - .now)
            guard left > 0 else { return .timedOut }
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, left)
            if ready < 0 {
                if errno == EINTR { continue }
                return .closed
            }
            if ready == 0 { continue } // the loop re-checks the deadline
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, max, Int32(MSG_DONTWAIT)) }
            if count > 0 { return .data(Data(buffer[0..<count])) }
            if count < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) { continue }
            return .closed
        }
    }

    /// Sends every byte of `data`; throws ``LoopbackHTTPError/peerClosed`` when the peer is gone, the
    /// server is stopping, or a send stalled past the send timeout.
    func sendAll(_ data: Data) throws {
        #if canImport(Glibc)
        let flags = Int32(MSG_NOSIGNAL)
        #else
        let flags: Int32 = 0
        #endif
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            guard let base = raw.baseAddress else { return }
            var offset = 0
            while offset < raw.count {
                let sent = send(fd, base + offset, raw.count - offset, flags)
                if sent > 0 { offset += sent; continue }
                if sent < 0 && errno == EINTR { continue }
                throw LoopbackHTTPError.peerClosed
            }
        }
    }

    /// Waits `duration` unless the connection breaks first (the server's ``abort()`` or a reset
    /// from the peer). Returns false when it broke.
    func pause(_ duration: Duration) -> Bool {
        let deadline = ContinuousClock.now + duration
        while true {
            let left = Self.milliseconds(deadline - .now, roundingUp: true)
            guard left > 0 else { return true }
            // No events asked for: poll still reports POLLHUP and POLLERR, and only those.
            var descriptor = pollfd(fd: fd, events: 0, revents: 0)
            let ready = poll(&descriptor, 1, left)
            if ready < 0 && errno == EINTR { continue }
            if ready != 0 { return false }
        }
    }

    /// Half-closes, lets the client read everything and hang up (reading and dropping whatever it
    /// still sends, for at most `drainFor` and 1 MiB, so it gets no reset), then closes.
    func closeGracefully(drainFor: Duration = .seconds(1)) {
        shutdown(fd, Int32(SHUT_WR))
        let deadline = ContinuousClock.now + drainFor
        var drained = 0
        while drained < 1 << 20, case .data(let chunk) = receive(deadline: deadline) { drained += chunk.count }
        close(fd)
    }

    /// Closes at once (unread input makes the kernel reset the connection).
    func closeNow() {
        close(fd)
    }

    /// Breaks any blocked read, write or pause (used when the server stops). Does not close.
    func abort() {
        shutdown(fd, Int32(SHUT_RDWR))
    }

    /// `duration` in whole milliseconds for poll(2), clamped to 0...Int32.max.
    static func milliseconds(_ duration: Duration, roundingUp: Bool = false) -> Int32 {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0, !(seconds == 0 && attoseconds <= 0) else { return 0 }
        let millis = Double(seconds) * 1000 + Double(attoseconds) / 1e15
        let rounded = roundingUp ? millis.rounded(.up) : max(1, millis.rounded(.down))
        return Int32(min(rounded, Double(Int32.max)))
    }

    static func timeValue(_ duration: Duration) -> timeval {
        let (seconds, attoseconds) = duration.components
        var tv = timeval()
        tv.tv_sec = .init(max(0, seconds))
        tv.tv_usec = .init(max(0, attoseconds / 1_000_000_000_000))
        return tv
    }
}
