import Foundation

/// Why the loopback server could not start or could not send.
public enum LoopbackHTTPError: Error, Equatable, CustomStringConvertible {
    /// The host is not a dotted IPv4 address.
    case invalidHost(String)
    /// The port is outside 0...65535.
    case invalidPort(Int)
    /// `socket()` or a socket option failed.
    case socketFailed(detail: String)
    /// `bind()` failed, usually because the port is taken.
    case bindFailed(host: String, port: Int, detail: String)
    /// `listen()` failed.
    case listenFailed(detail: String)
    /// ``LoopbackHTTPServer/start()`` was called twice.
    case alreadyStarted
    /// The client closed the connection (or the server is stopping) while a response was being sent.
    case peerClosed

    public var description: String {
        switch self {
        case .invalidHost(let host):
            return "invalid listen host '\(host)': give a dotted IPv4 address such as 127.0.0.1"
        case .invalidPort(let port):
            return "invalid listen port \(port): give 0 (any free port) or a number up to 65535"
        case .socketFailed(let detail):
            return "could not create a listening socket: \(detail)"
        case .bindFailed(let host, let port, let detail):
            return "could not bind \(host):\(port): \(detail) (pick another port, or 0 for any free port)"
        case .listenFailed(let detail):
            return "could not listen on the bound socket: \(detail)"
        case .alreadyStarted:
            return "the server is already running: call stop() before starting it again"
        case .peerClosed:
            return "the client closed the connection before the response was complete"
        }
    }

    static func errnoText() -> String {
        String(cString: strerror(errno))
    }
}
