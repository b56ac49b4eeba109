import BlockingIO
import Foundation

/// The environment's work queue: a Redis stream with one consumer group, as scrapy-redis and Celery's
/// Redis broker use Redis, with a dead-letter stream beside it.
///
/// - `queue:{env}:candidates`: one entry per candidate (``WorkItem``); consumer group `workers`.
/// - `queue:{env}:dead`: entries delivered more than `max_deliveries` times, with their last error.
/// - `queue:{env}:errors`: a hash of the last error of each entry still pending.
///
/// A worker reads new entries with XREADGROUP and takes over entries another worker has held idle
/// too long with XAUTOCLAIM; an entry is acknowledged (XACK, then XDEL) only once its candidate is
/// stored and registered, or found already registered, so a worker that dies loses nothing.
/// Blocking reads use their own connection, so acknowledgements never wait behind them.
public final class RedisWorkQueue: Sendable {
    public let environment: String
    public let stream: String
    public let deadLetters: String
    let errors: String
    public static let group = "workers"

    private let reader: RedisLink
    private let writer: RedisLink
    private let pool: BlockingIOPool
    public let displayName: String

    /// An entry as read: its id, item (nil when its fields are malformed) and how often it was delivered.
    public struct Delivery: Sendable {
        public var id: String
        public var fields: [String: String]
        public var item: WorkItem?
        public var deliveries: Int
    }

    /// Connects twice (reads and writes) on the pool; throws ``RedisConnectionError`` naming host:port.
    public static func connect(configuration: RedisConfiguration, pool: BlockingIOPool = .shared) async throws -> RedisWorkQueue {
        try await pool.run {
            try RedisWorkQueue(configuration: configuration, reader: RedisConnection(configuration: configuration),
                               writer: RedisConnection(configuration: configuration), pool: pool)
        }
    }

    private init(configuration: RedisConfiguration, reader: RedisConnection, writer: RedisConnection, pool: BlockingIOPool) {
        environment = configuration.environment
        stream = "queue:\(configuration.environment):candidates"
        deadLetters = "queue:\(configuration.environment):dead"
        errors = "queue:\(configuration.environment):errors"
        self.reader = RedisLink(reader)
        self.writer = RedisLink(writer)
        self.pool = pool
        displayName = configuration.displayName
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (RedisConnection) throws -> T) async throws -> T {
        let link = writer
        return try await pool.run { try link.withConnection { connection, _ in try body(connection) } }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (RedisConnection) throws -> T) async throws -> T {
        let link = reader
        return try await pool.run { try link.withConnection { connection, _ in try body(connection) } }
    }

    /// Creates the consumer group (reading from the stream's start) unless it exists.
    public func ensureGroup() async throws {
        let stream = self.stream
        try await write { connection in
            let reply = try connection.command(["XGROUP", "CREATE", stream, Self.group, "0", "MKSTREAM"])
            if case .error(let message) = reply, !message.hasPrefix("BUSYGROUP") { throw RedisConnectionError.commandFailed(message) }
        }
    }

    /// Adds `items`; returns how many were added.
    public func add(_ items: [WorkItem]) async throws -> Int {
        let stream = self.stream
        return try await write { connection in
            for item in items { _ = try connection.checkedCommand(["XADD", stream, "*"] + item.fields) }
            return items.count
        }
    }

    /// Entries other consumers (or this one, after a failure) have held idle at least `minIdle` seconds,
    /// now owned by `consumer`.
    public func claimIdle(consumer: String, minIdle: Double, count: Int) async throws -> [Delivery] {
        let stream = self.stream
        return try await read { connection in
            let reply = try connection.checkedCommand(["XAUTOCLAIM", stream, Self.group, consumer, String(Int(minIdle * 1000)), "0-0",
                                                       "COUNT", String(count)])
            guard case .array(let parts) = reply, parts.count >= 2 else { return [] }
            return try Self.entries(parts[1]).map { id, fields in
                Delivery(id: id, fields: fields, item: WorkItem(fields: fields), deliveries: try Self.deliveries(of: id, stream: stream, connection))
            }
        }
    }

    /// New entries for `consumer`, waiting up to `block` seconds for one.
    public func readNew(consumer: String, count: Int, block: Double) async throws -> [Delivery] {
        let stream = self.stream
        return try await read { connection in
            let reply = try connection.checkedCommand(["XREADGROUP", "GROUP", Self.group, consumer, "COUNT", String(count),
                                                       "BLOCK", String(Int(block * 1000)), "STREAMS", stream, ">"])
            guard case .array(let streams) = reply, case .array(let pair)? = streams.first, pair.count == 2 else { return [] }
            return try Self.entries(pair[1]).map { Delivery(id: $0.0, fields: $0.1, item: WorkItem(fields: $0.1), deliveries: 1) }
        }
    }

    /// Done with `id`: acknowledged and removed, with its recorded error.
    public func acknowledge(_ id: String) async throws {
        let (stream, errors) = (self.stream, self.errors)
        try await write { connection in
            _ = try connection.checkedCommand(["XACK", stream, Self.group, id])
            _ = try connection.checkedCommand(["XDEL", stream, id])
            _ = try connection.checkedCommand(["HDEL", errors, id])
        }
    }

    /// Keeps `error` as the entry's last error (the entry stays pending, for a later delivery).
    public func recordFailure(_ id: String, error: String) async throws {
        let errors = self.errors
        try await write { connection in _ = try connection.checkedCommand(["HSET", errors, id, error]) }
    }

    /// Moves `delivery` to the dead-letter stream with its last error and delivery count.
    public func deadLetter(_ delivery: Delivery, reason: String) async throws {
        let (stream, dead, errors) = (self.stream, deadLetters, self.errors)
        try await write { connection in
            let last = try connection.checkedCommand(["HGET", errors, delivery.id]).text
            var fields: [String] = []
            for (key, value) in delivery.fields.sorted(by: { $0.key < $1.key }) { fields += [key, value] }
            fields += ["original_id", delivery.id, "deliveries", String(delivery.deliveries), "last_error", last ?? reason]
            _ = try connection.checkedCommand(["XADD", dead, "*"] + fields)
            _ = try connection.checkedCommand(["XACK", stream, Self.group, delivery.id])
            _ = try connection.checkedCommand(["XDEL", stream, delivery.id])
            _ = try connection.checkedCommand(["HDEL", errors, delivery.id])
        }
    }

    /// Entries still in the stream (new or pending).
    public func length() async throws -> Int {
        let stream = self.stream
        return try await write { connection in try connection.checkedCommand(["XLEN", stream]).integer ?? 0 }
    }

    static func entries(_ reply: RedisReply) throws -> [(String, [String: String])] {
        guard case .array(let items) = reply else { return [] }
        return items.compactMap { item in
            guard case .array(let pair) = item, pair.count == 2, let id = pair[0].text else { return nil }
            var fields: [String: String] = [:]
            if case .array(let flat) = pair[1] {
                var index = 0
                while index + 1 < flat.count {
                    if let key = flat[index].text, let value = flat[index + 1].text { fields[key] = value }
                    index += 2
                }
            }
            return (id, fields)   // an entry deleted meanwhile comes back with nil fields: an empty set
        }
    }

    private static func deliveries(of id: String, stream: String, _ connection: RedisConnection) throws -> Int {
        let reply = try connection.checkedCommand(["XPENDING", stream, group, id, id, "1"])
        guard case .array(let rows) = reply, case .array(let row)? = rows.first, row.count >= 4 else { return 1 }
        return row[3].integer ?? 1
    }
}
