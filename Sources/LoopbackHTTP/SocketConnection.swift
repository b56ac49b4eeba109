import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One accepted TCP connection: blocking reads and writes that never raise SIGPIPE.
final class SocketConnection: @unchecked Sendable {
    let fd: Int32

    init(fd: Int32) {
        self.fd = fd
        #if canImport(Darwin)
        var on: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &on, socklen_t(MemoryLayout<Int32>.size))
        #endif
    }

    /// Sets how long a read may block before it fails.
    func setReadTimeout(seconds: Double) {
        var tv = timeval()
        tv.tv_sec = .init(Int(seconds))
        tv.tv_usec = .init(Int((seconds - Double(Int(seconds))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Reads up to `max` bytes; nil on end of stream, timeout or error.
    func receive(max: Int = 16 * 1024) -> Data? {
        var buffer = [UInt8](repeating: 0, count: max)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, max, 0) }
            if count > 0 { return Data(buffer[0..<count]) }
            if count < 0 && errno == EINTR { continue }
            return nil
        }
    }

    /// Sends every byte of `data`; throws ``LoopbackHTTPError/peerClosed`` when the peer is gone.
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

    /// Half-closes, lets the client read everything and hang up, then closes.
    func closeGracefully() {
        shutdown(fd, Int32(SHUT_WR))
        setReadTimeout(seconds: 1)
        var drained = 0
        while drained < 1 << 20, let chunk = receive() { drained += chunk.count }
        close(fd)
    }

    /// Breaks any blocked read or write (used when the server stops).
    func abort() {
        shutdown(fd, Int32(SHUT_RDWR))
    }
}
