import CSQLite
import Foundation

/// A thin, thread-safe wrapper over one SQLite connection: prepared statements with text/real
/// parameters, returning rows of optional strings. No SQLite types leave this file.
///
/// Thread safety: `@unchecked Sendable` because the `sqlite3*` handle is used only while `lock`
/// is held (every statement, transaction and `sqlite3_changes` read goes through it), and the
/// connection is also opened with `SQLITE_OPEN_FULLMUTEX`. Its calls block: callers run them on a
/// ``BlockingIOPool``.
final class SQLiteDatabase: @unchecked Sendable {
    private var handle: OpaquePointer?
    private let lock = NSLock()
    let path: String

    /// Opens (creating if needed) the database file with owner-only permissions, in WAL mode with a
    /// busy timeout so several processes can share it.
    init(path: String) throws {
        self.path = path
        let existed = FileManager.default.fileExists(atPath: path)
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX
        guard sqlite3_open_v2(path, &handle, flags, nil) == SQLITE_OK else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(handle)
            throw HashRegistryError.unavailable("cannot open registry database \(path): \(message); set registry.path to a writable file")
        }
        if !existed { chmod(path, 0o600) }
        sqlite3_busy_timeout(handle, 10_000)
        _ = try? query("PRAGMA journal_mode=WAL")
    }

    deinit { sqlite3_close(handle) }

    /// Runs `sql` with `parameters` bound in order (String, Double, Int or nil) and returns all rows.
    @discardableResult
    func query(_ sql: String, _ parameters: [Any?] = []) throws -> [[String?]] {
        lock.lock()
        defer { lock.unlock() }
        return try queryLocked(sql, parameters)
    }

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT`, rolling back when it throws.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        try queryLocked("BEGIN IMMEDIATE", [])
        do {
            let result = try body()
            try queryLocked("COMMIT", [])
            return result
        } catch {
            _ = try? queryLocked("ROLLBACK", [])
            throw error
        }
    }

    /// Like `query`, for use inside `transaction` (the lock is already held).
    @discardableResult
    func queryInTransaction(_ sql: String, _ parameters: [Any?] = []) throws -> [[String?]] {
        try queryLocked(sql, parameters)
    }

    /// Rows changed by the last statement; only meaningful inside `transaction` (the lock is held).
    var changesInTransaction: Int { Int(sqlite3_changes(handle)) }

    /// Runs one changing statement and returns how many rows it changed, both under the lock.
    @discardableResult
    func execute(_ sql: String, _ parameters: [Any?] = []) throws -> Int {
        lock.lock()
        defer { lock.unlock() }
        try queryLocked(sql, parameters)
        return Int(sqlite3_changes(handle))
    }

    @discardableResult
    private func queryLocked(_ sql: String, _ parameters: [Any?]) throws -> [[String?]] {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK else {
            throw error("prepare")
        }
        defer { sqlite3_finalize(statement) }
        for (index, value) in parameters.enumerated() {
            let position = Int32(index + 1)
            switch value {
            case let text as String: scraper_sqlite_bind_text(statement, position, text)
            case let number as Double: sqlite3_bind_double(statement, position, number)
            case let number as Int: sqlite3_bind_int64(statement, position, Int64(number))
            default: sqlite3_bind_null(statement, position)
            }
        }
        var rows: [[String?]] = []
        while true {
            let step = sqlite3_step(statement)
            if step == SQLITE_DONE { break }
            guard step == SQLITE_ROW else { throw error("step") }
            let columns = sqlite3_column_count(statement)
            rows.append((0..<columns).map { column in
                sqlite3_column_text(statement, column).map { String(cString: $0) }
            })
        }
        return rows
    }

    private func error(_ stage: String) -> HashRegistryError {
        .failed("registry database \(path): \(String(cString: sqlite3_errmsg(handle))) (\(stage))")
    }
}
