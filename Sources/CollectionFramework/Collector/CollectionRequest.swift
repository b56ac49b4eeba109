import Foundation

/// What a run asks a collector for: the latest snapshot, one day, or a range of days, plus the
/// collector's own filters (for MISO CTS: `interval`, `node`).
public struct CollectionRequest: Sendable, Equatable {
    public enum Mode: Sendable, Equatable {
        /// Whatever the source publishes now.
        case snapshot
        /// One operating day.
        case day(CalendarDate)
        /// Every day from the first through the second, inclusive.
        case range(CalendarDate, CalendarDate)
    }

    public var mode: Mode
    /// Collector-specific filters by name; unknown names are refused by the collector.
    public var filters: [String: String]
    /// When the run started; snapshot identifiers and partitions derive from it.
    public var collectionTime: Date

    public init(mode: Mode = .snapshot, filters: [String: String] = [:], collectionTime: Date = Date()) {
        self.mode = mode
        self.filters = filters
        self.collectionTime = collectionTime
    }

    /// The requested days, or nil for a snapshot.
    public var days: [CalendarDate]? {
        switch mode {
        case .snapshot: return nil
        case .day(let d): return [d]
        case .range(let a, let b): return a.through(b)
        }
    }
}
