import Foundation
import Synchronization

/// Every problem found while reading a configuration, in the order found (for `scraper config check`).
final class ConfigProblemList: Sendable {
    private let items = Mutex<[ConfigError]>([])

    func add(_ problem: ConfigError) {
        items.withLock { items in
            if !items.contains(problem) { items.append(problem) }
        }
    }

    var all: [ConfigError] { items.withLock { $0 } }

    /// Runs `body`; a ``ConfigError`` it throws is recorded instead of propagated.
    func collect<T>(_ body: () throws -> T) rethrows -> T? {
        do { return try body() } catch let problem as ConfigError {
            add(problem)
            return nil
        }
    }
}
