import Foundation
import Synchronization

/// Counts a run's finished candidates and renders the progress line `scraper run` shows for a
/// backfill: done/total, rate, ETA and collected/skipped/failed. Thread-safe (pipelines report from
/// worker threads).
///
/// `37/120 (30%)  4.1/s  ETA 0:20  collected 35  skipped 1  failed 1`
public final class RunProgress: Sendable {
    /// The counts at one moment.
    public struct Snapshot: Sendable, Equatable {
        public var done = 0
        public var total = 0
        public var collected = 0
        public var skipped = 0
        public var failed = 0
        /// Seconds since the run started.
        public var elapsed: Double = 0

        public init(done: Int = 0, total: Int = 0, collected: Int = 0, skipped: Int = 0, failed: Int = 0, elapsed: Double = 0) {
            self.done = done
            self.total = total
            self.collected = collected
            self.skipped = skipped
            self.failed = failed
            self.elapsed = elapsed
        }

        /// Candidates per second so far (0 before the first finishes).
        public var rate: Double { elapsed > 0 ? Double(done) / elapsed : 0 }

        /// Seconds left at the current rate, or nil before the rate is known.
        public var eta: Double? {
            guard rate > 0 else { return nil }
            return Double(max(0, total - done)) / rate
        }

        /// The one-line rendering.
        public var line: String {
            let percent = total > 0 ? done * 100 / total : 100
            let etaText = eta.map(RunProgress.clock) ?? "--:--"
            return "\(done)/\(total) (\(percent)%)  \(String(format: "%.1f", rate))/s  ETA \(etaText)  "
                + "collected \(collected)  skipped \(skipped)  failed \(failed)"
        }
    }

    private let snapshot: Mutex<Snapshot>
    private let start: Date

    public init(total: Int, start: Date = Date()) {
        self.snapshot = Mutex(Snapshot(total: total))
        self.start = start
    }

    /// Counts one finished candidate and returns the counts after it.
    @discardableResult
    public func record(_ outcome: CandidateOutcome, at now: Date = Date()) -> Snapshot {
        snapshot.withLock { snapshot in
            snapshot.done += 1
            switch outcome {
            case .collected: snapshot.collected += 1
            case .skippedDuplicate: snapshot.skipped += 1
            case .failed: snapshot.failed += 1
            case .notAttempted, .notPublished: break
            case .inspected(let payload):
                if payload.duplicate { snapshot.skipped += 1 } else { snapshot.collected += 1 }
            }
            snapshot.elapsed = now.timeIntervalSince(start)
            return snapshot
        }
    }

    /// The counts now.
    public var current: Snapshot {
        var s = snapshot.withLock { $0 }
        s.elapsed = Date().timeIntervalSince(start)
        return s
    }

    /// `m:ss`, or `h:mm:ss` from an hour up.
    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
