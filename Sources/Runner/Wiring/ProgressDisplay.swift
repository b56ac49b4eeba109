import CollectionFramework
import Foundation
import Logging

/// Shows a multi-candidate run's progress: on a terminal a live line on stderr, redrawn at most ten
/// times a second; off a terminal an info log line every `every` candidates (and at the end).
final class ProgressDisplay: @unchecked Sendable {
    /// Off a terminal, one log line per this many candidates.
    static let defaultEvery = 25

    let progress: RunProgress
    let interactive: Bool
    let every: Int
    private let logger: Logger
    private let lock = NSLock()
    private var lastDraw = Date.distantPast
    private var drawn = false

    init(total: Int, interactive: Bool, every: Int = ProgressDisplay.defaultEvery, logger: Logger) {
        self.progress = RunProgress(total: total)
        self.interactive = interactive
        self.every = max(1, every)
        self.logger = logger
    }

    /// Hooks a display into `runner` when the run has more than one candidate; nil otherwise.
    static func attach(to runner: CollectionRunner, prepared: [PreparedCollector], logger: Logger) -> ProgressDisplay? {
        let total = prepared.reduce(0) { $0 + $1.candidates.count }
        guard total > 1 else { return nil }
        let display = ProgressDisplay(total: total, interactive: isatty(STDERR_FILENO) == 1, logger: logger)
        runner.onProgress = { _, _, _, outcome in display.update(outcome) }
        return display
    }

    func update(_ outcome: CandidateOutcome) {
        let snapshot = progress.record(outcome)
        if interactive {
            lock.lock()
            defer { lock.unlock() }
            let now = Date()
            guard snapshot.done == snapshot.total || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
            lastDraw = now
            drawn = true
            FileHandle.standardError.write(Data(("\r\u{1B}[2K" + snapshot.line).utf8))
        } else if snapshot.done % every == 0 || snapshot.done == snapshot.total {
            logger.info("progress \(snapshot.line)")
        }
    }

    /// Ends the live line so the next output starts on a fresh line.
    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if interactive && drawn { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
