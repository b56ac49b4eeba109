import CollectionFramework
import Foundation
import Logging

/// Shows a multi-candidate run's progress: on a terminal a live line on stderr, redrawn at most ten
/// times a second; off a terminal an info log line every `every` candidates (and at the end).
final class ProgressDisplay: Sendable {
    /// Off a terminal, one log line per this many candidates.
    static let defaultEvery = 25

    let progress: RunProgress
    let interactive: Bool
    let every: Int
    private let logger: Logger
    private let line = TerminalStatusLine()

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
            line.draw(snapshot.line, final: snapshot.done == snapshot.total)
        } else if snapshot.done % every == 0 || snapshot.done == snapshot.total {
            logger.info("progress \(snapshot.line)")
        }
    }

    /// Ends the live line so the next output starts on a fresh line.
    func finish() {
        if interactive { line.finish() }
    }
}
