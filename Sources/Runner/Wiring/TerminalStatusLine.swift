import Foundation
import Synchronization

/// One status line on stderr, redrawn in place (at most ten times a second; a final state always).
/// Used by the progress displays of `run` and `export` when stderr is a terminal.
final class TerminalStatusLine: Sendable {
    /// When the line was last drawn, and whether it ever was.
    private let drawing = Mutex<(last: Date, drawn: Bool)>((Date.distantPast, false))

    /// Redraws the line with `text`, unless it was drawn less than 0.1 s ago and `final` is false.
    func draw(_ text: String, final: Bool) {
        drawing.withLock { drawing in
            let now = Date()
            guard final || now.timeIntervalSince(drawing.last) >= 0.1 else { return }
            drawing = (now, true)
            FileHandle.standardError.write(Data(("\r\u{1B}[2K" + text).utf8))
        }
    }

    /// Ends the line, if one was drawn, so what follows starts on a fresh one.
    func finish() {
        drawing.withLock { drawing in
            if drawing.drawn { FileHandle.standardError.write(Data("\n".utf8)) }
        }
    }
}
