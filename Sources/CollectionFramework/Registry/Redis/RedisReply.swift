/// One reply from Redis, copied out of hiredis so no C memory outlives the command.
public enum RedisReply: Sendable, Equatable {
    /// A simple status such as `OK` or `PONG`.
    case status(String)
    /// An error reply (`ERR ...`, `WRONGTYPE ...`, `NOAUTH ...`).
    case error(String)
    case integer(Int)
    /// A bulk string, decoded as UTF-8.
    case string(String)
    /// The nil bulk string or nil array (e.g. GET of a missing key, SET NX that lost).
    case null
    case array([RedisReply])

    /// The text of a status or bulk string reply.
    public var text: String? {
        switch self {
        case .status(let s), .string(let s): return s
        default: return nil
        }
    }

    /// The value of an integer reply.
    public var integer: Int? {
        if case .integer(let value) = self { return value }
        return nil
    }

    /// True for the nil reply.
    public var isNull: Bool { self == .null }
}
