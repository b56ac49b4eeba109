import CollectionFramework
import Foundation
import Logging
import Synchronization

/// Shows a multi-candidate run's progress: on a terminal a live line on stderr, redrawn at most ten
/// times a second; off a terminal an info log line every `every` candidates (and at the end).
final class ProgressDisplay: Sendable {
    /// Off a terminal, one log line per this many candidates.
    static let defaultEvery = 25

    let progress: RunProgress
    let interactive: Bool
    let every: Int
    private let logger: Logger
    /// When the live line was last drawn, and whether it ever was.
    private let drawing = Mutex<(last: Date, drawn: Bool)>((Date.distantPast, false))

    init(total: Int, interactive: Bool, every: Int = ProgressDisplay.defaultEvery, logger: Logger) {
        self.progress = RunProgress(total: total)
        self.interactive = interactive
        self.every = max(1, every)
        self.logger = logger
    }

    /// A display for a run with more than one candidate; nil otherwise.
    static func make(prepared: [PreparedCollector], logger: Logger) -> ProgressDisplay? {
        let total = prepared.reduce(0) { $0 + $1.candidates.count }
        guard total > 1 else { return nil }
        return ProgressDisplay(total: total, interactive: isatty(STDERR_FILENO) == 1, logger: logger)
    }

    func update(_ outcome: CandidateOutcome) {
        let snapshot = progress.record(outcome)
        if interactive {
            drawing.withLock { drawing in
                let now = Date()
                guard snapshot.done == snapshot.total || now.timeIntervalSince(drawing.last) >= 0.1 else { return }
                drawing = (now, true)
                FileHandle.standardError.write(Data(("\r\u{1B}[2K" + snapshot.line).utf8))
            }
        } else if snapshot.done % every == 0 || snapshot.done == snapshot.total {
            logger.info("progress \(snapshot.line)")
        }
    }

    /// Ends the live line so the next output starts on a fresh line.
    func finish() {
        drawing.withLock { drawing in
            if interactive && drawing.drawn { FileHandle.standardError.write(Data("\n".utf8)) }
        }
    }
}
