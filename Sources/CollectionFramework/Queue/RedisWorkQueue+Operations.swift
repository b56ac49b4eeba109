import Foundation

/// What `scraper queue status` shows, and what operators do with the queue.
extension RedisWorkQueue {
    /// The queue at a glance.
    public struct Status: Sendable, Equatable {
        /// Entries in the stream, new or pending.
        public var length: Int
        /// Entries delivered but not yet acknowledged, by consumer.
        public var pendingByConsumer: [String: Int]
        public var deadLetters: Int
        /// Seconds since the oldest entry still in the stream was added (nil when empty).
        public var oldestAgeSeconds: Double?

        /// The JSON `scraper queue status` prints, naming `stream`.
        public func json(stream: String) -> JSONObject {
            JSONObject([
                ("stream", .string(stream)),
                ("length", .int(length)),
                ("pending", .int(pendingByConsumer.values.reduce(0, +))),
                ("pending_by_consumer", .object(JSONObject(pendingByConsumer.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.int($0.value)) }))),
                ("dead_letters", .int(deadLetters)),
                ("oldest_age_seconds", oldestAgeSeconds.map { .double(($0 * 10).rounded() / 10) } ?? .null),
            ])
        }
    }

    public func status(now: Date = Date()) async throws -> Status {
        let (stream, dead) = (self.stream, deadLetters)
        return try await write { connection in
            let length = try connection.checkedCommand(["XLEN", stream]).integer ?? 0
            var pending: [String: Int] = [:]
            if case .array(let summary) = try connection.command(["XPENDING", stream, Self.group]), summary.count >= 4,
               case .array(let consumers) = summary[3] {
                for consumer in consumers {
                    if case .array(let pair) = consumer, pair.count == 2, let name = pair[0].text {
                        pending[name] = pair[1].integer ?? Int(pair[1].text ?? "") ?? 0
                    }
                }
            }
            let deadCount = try connection.checkedCommand(["XLEN", dead]).integer ?? 0
            var oldest: Double?
            if case .array(let first) = try connection.checkedCommand(["XRANGE", stream, "-", "+", "COUNT", "1"]),
               case .array(let entry)? = first.first, let id = entry.first?.text,
               let millis = id.split(separator: "-").first.flatMap({ Double($0) }) {
                oldest = max(0, now.timeIntervalSince1970 - millis / 1000)
            }
            return Status(length: length, pendingByConsumer: pending, deadLetters: deadCount, oldestAgeSeconds: oldest)
        }
    }

    /// Puts every dead letter back on the queue (as a new entry, its delivery count reset); returns how many.
    public func retryDeadLetters() async throws -> Int {
        let (stream, dead) = (self.stream, deadLetters)
        return try await write { connection in
            let entries = try Self.entries(try connection.checkedCommand(["XRANGE", dead, "-", "+"]))
            for (id, fields) in entries {
                guard let item = WorkItem(fields: fields) else { continue }
                _ = try connection.checkedCommand(["XADD", stream, "*"] + item.fields)
                _ = try connection.checkedCommand(["XDEL", dead, id])
            }
            return entries.count
        }
    }

    /// Deletes the queue, its dead letters and recorded errors; returns how many entries went.
    public func purge() async throws -> (entries: Int, deadLetters: Int) {
        let (stream, dead, errors) = (self.stream, deadLetters, self.errors)
        return try await write { connection in
            let counts = (try connection.checkedCommand(["XLEN", stream]).integer ?? 0, try connection.checkedCommand(["XLEN", dead]).integer ?? 0)
            _ = try connection.checkedCommand(["DEL", stream, dead, errors])
            return counts
        }
    }
}
