import Foundation

/// Every problem found while reading a configuration, in the order found (for `scraper config check`).
final class ConfigProblemList: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [ConfigError] = []

    func add(_ problem: ConfigError) {
        lock.lock()
        if !items.contains(problem) { items.append(problem) }
        lock.unlock()
    }

    var all: [ConfigError] {
        lock.lock(); defer { lock.unlock() }
        return items
    }

    /// Runs `body`; a ``ConfigError`` it throws is recorded instead of propagated.
    func collect<T>(_ body: () throws -> T) rethrows -> T? {
        do { return try body() } catch let problem as ConfigError {
            add(problem)
            return nil
        }
    }
}
