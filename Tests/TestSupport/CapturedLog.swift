import Logging
import Synchronization

/// Every log event a logger made, kept in memory (for tests that check what was, or was not, logged).
///
/// ```swift
/// let captured = CapturedLog()
/// let logger = Logger(label: "test") { _ in CapturingLogHandler(log: captured) }
/// ```
public final class CapturedLog: Sendable {
    /// One event: its level, message and metadata.
    public struct Entry: Sendable {
        public var level: Logger.Level
        public var message: String
        public var metadata: Logger.Metadata
    }

    private let storage = Mutex<[Entry]>([])

    public init() {}

    /// Every event so far, in order.
    public var entries: [Entry] { storage.withLock { $0 } }
    /// Every event as `LEVEL message`.
    public var lines: [String] { entries.map { "\($0.level) \($0.message)" } }

    func append(_ entry: Entry) { storage.withLock { $0.append(entry) } }
}

/// A `LogHandler` that records into a ``CapturedLog``.
public struct CapturingLogHandler: LogHandler {
    public let log: CapturedLog
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .trace

    public init(log: CapturedLog) { self.log = log }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        log.append(.init(level: event.level, message: "\(event.message)",
                         metadata: metadata.merging(event.metadata ?? [:]) { $1 }))
    }
}
