import Foundation
import Synchronization

/// When each scheduled collector last ran, kept in a small JSON file so a restarted daemon knows
/// whether it missed a slot while it was down (and then runs once, not once per missed slot).
///
/// File shape: `{"collectors": {"miso-cts": {"last_started": "2025-01-20T10:00:00Z",
/// "last_finished": "2025-01-20T10:00:04Z", "last_succeeded": true}}}`. Written atomically
/// (temporary file, then rename). An unreadable file is reported once and treated as empty: the
/// daemon then waits for each collector's next slot.
public final class ScheduleState: Sendable {
    /// One collector's last run.
    public struct Entry: Sendable, Equatable {
        public var lastStarted: Date
        public var lastFinished: Date
        public var lastSucceeded: Bool

        public init(lastStarted: Date, lastFinished: Date, lastSucceeded: Bool) {
            self.lastStarted = lastStarted
            self.lastFinished = lastFinished
            self.lastSucceeded = lastSucceeded
        }
    }

    /// The file, or nil to keep the state in memory only.
    public let path: String?
    /// Why the file could not be read at start, if it could not.
    public let loadProblem: String?
    private let entries: Mutex<[String: Entry]>

    /// Reads `path` when it exists.
    public init(path: String?) {
        self.path = path
        var loaded: [String: Entry] = [:]
        var problem: String?
        if let path, FileManager.default.fileExists(atPath: path) {
            do {
                loaded = try ScheduleState.decode(try Data(contentsOf: URL(fileURLWithPath: path)))
            } catch {
                problem = "cannot read the schedule state \(path) (\(error)); every collector waits for its next slot. Delete the file to silence this."
            }
        }
        entries = Mutex(loaded)
        loadProblem = problem
    }

    /// The last run of `collector`, if one is known.
    public func entry(for collector: String) -> Entry? {
        entries.withLock { $0[collector] }
    }

    /// Every collector's last run, by name.
    public func allEntries() -> [String: Entry] {
        entries.withLock { $0 }
    }

    /// Forgets `collector`'s last run and saves the file; false when there was none (nothing is written).
    /// A serve still running keeps its own copy and writes it back after its next finished run.
    @discardableResult
    public func remove(_ collector: String) throws -> Bool {
        try entries.withLock { entries in
            guard entries.removeValue(forKey: collector) != nil else { return false }
            try save(Self.encode(entries))
            return true
        }
    }

    /// Records a finished run and saves the file.
    public func record(_ collector: String, _ entry: Entry) throws {
        // Saved under the lock, so two collectors finishing at once never write an older state last.
        try entries.withLock { entries in
            entries[collector] = entry
            try save(Self.encode(entries))
        }
    }

    private func save(_ data: Data) throws {
        guard let path else { return }
        let url = URL(fileURLWithPath: path)
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).\(UUID().uuidString.prefix(8)).tmp")
        do {
            try data.write(to: temp)
            guard rename(temp.path, url.path) == 0 else { throw ScheduleStateError("rename failed: \(String(cString: strerror(errno)))") }
        } catch {
            try? FileManager.default.removeItem(at: temp)
            throw ScheduleStateError("cannot write the schedule state \(path): \(error); check that its folder is writable or set serve.state_path")
        }
    }

    private static func formatter() -> ISO8601DateFormatter {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f
    }

    private static func encode(_ entries: [String: Entry]) -> Data {
        let f = ScheduleState.formatter()
        var collectors = JSONObject([])
        for name in entries.keys.sorted() {
            let e = entries[name]!
            collectors[name] = .object(JSONObject([
                ("last_started", .string(f.string(from: e.lastStarted))),
                ("last_finished", .string(f.string(from: e.lastFinished))),
                ("last_succeeded", .bool(e.lastSucceeded)),
            ]))
        }
        return Data((JSONObject([("collectors", .object(collectors))]).serialized() + "\n").utf8)
    }

    static func decode(_ data: Data) throws -> [String: Entry] {
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let collectors = root["collectors"] as? [String: Any] else {
            throw ScheduleStateError("expected {\"collectors\": {...}}")
        }
        let f = formatter()
        var out: [String: Entry] = [:]
        for (name, value) in collectors {
            guard let e = value as? [String: Any], let started = (e["last_started"] as? String).flatMap(f.date(from:)),
                  let finished = (e["last_finished"] as? String).flatMap(f.date(from:)) else {
                throw ScheduleStateError("entry \(name.debugDescription) lacks last_started/last_finished timestamps")
            }
            out[name] = Entry(lastStarted: started, lastFinished: finished, lastSucceeded: e["last_succeeded"] as? Bool ?? false)
        }
        return out
    }
}

/// The schedule state file could not be read or written.
public struct ScheduleStateError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
