import Foundation
import Logging

/// The progress bar `scraper export` draws on stderr while it reads: on a terminal a bar redrawn at
/// most ten times a second; off a terminal one log line per 25 objects and one at the end.
final class ExportProgress: Sendable {
    private let interactive: Bool
    private let logger: Logger
    private let line = TerminalStatusLine()

    init(interactive: Bool = isatty(STDERR_FILENO) == 1, logger: Logger) {
        self.interactive = interactive
        self.logger = logger
    }

    /// `[##########----------]  12/24 objects read`.
    static func bar(done: Int, total: Int, width: Int = 20) -> String {
        let filled = total == 0 ? width : min(width, done * width / total)
        let digits = String(total).count
        let count = String(repeating: " ", count: max(0, digits - String(done).count)) + String(done)
        return "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "] \(count)/\(total) objects read"
    }

    func update(done: Int, total: Int) {
        if interactive {
            line.draw(Self.bar(done: done, total: total), final: done == total)
        } else if done > 0, done % 25 == 0 || done == total {
            logger.info("export progress \(Self.bar(done: done, total: total))")
        }
    }

    /// Ends the bar's line so what follows starts on a fresh one.
    func finish() {
        if interactive { line.finish() }
    }
}
