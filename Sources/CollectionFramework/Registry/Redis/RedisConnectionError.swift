/// A failure of ``RedisConnection``. Messages name the server (`host:port`) and what to check,
/// and never contain the password.
public enum RedisConnectionError: Error, Equatable, CustomStringConvertible {
    /// No TCP connection could be made.
    case cannotConnect(String)
    /// The connection broke (or timed out) during a command; a reconnect may help.
    case connectionLost(String)
    /// The server refused the credentials or needs some.
    case authenticationFailed(String)
    /// SELECT of the configured database failed.
    case databaseSelectFailed(String)
    /// The server answered a command with an error reply.
    case commandFailed(String)
    /// The server answered with a reply of an unexpected shape.
    case unexpectedReply(String)

    /// True when the connection itself is the problem, so reconnecting and retrying may succeed.
    public var isConnectionProblem: Bool {
        switch self {
        case .cannotConnect, .connectionLost: return true
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .cannotConnect(let m), .connectionLost(let m), .authenticationFailed(let m),
             .databaseSelectFailed(let m), .commandFailed(let m), .unexpectedReply(let m):
            return m
        }
    }
}
