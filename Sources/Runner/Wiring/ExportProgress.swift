import Foundation
import Logging
import Synchronization

/// The progress bar `scraper export` draws on stderr while it reads: on a terminal a bar redrawn at
/// most ten times a second; off a terminal one log line per 25 objects and one at the end.
final class ExportProgress: Sendable {
    private let interactive: Bool
    private let logger: Logger
    private let drawing = Mutex<(last: Date, drawn: Bool)>((Date.distantPast, false))

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
            drawing.withLock { drawing in
                let now = Date()
                guard done == total || now.timeIntervalSince(drawing.last) >= 0.1 else { return }
                drawing = (now, true)
                FileHandle.standardError.write(Data(("\r\u{1B}[2K" + Self.bar(done: done, total: total)).utf8))
            }
        } else if done > 0, done % 25 == 0 || done == total {
            logger.info("export progress \(Self.bar(done: done, total: total))")
        }
    }

    /// Ends the bar's line so what follows starts on a fresh one.
    func finish() {
        drawing.withLock { drawing in
            if interactive && drawing.drawn { FileHandle.standardError.write(Data("\n".utf8)) }
        }
    }
}
