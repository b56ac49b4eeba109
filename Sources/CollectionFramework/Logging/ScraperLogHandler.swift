import Foundation
import Synchronization
import Logging

/// Writes log lines to stderr as human text or as one JSON object per line, with secrets masked.
///
/// Text: `2026-11-26T01:02:03.123Z INFO  [miso-cts] cts_20250120.json: stored … run=…`
/// JSON: `{"ts": "…", "level": "info", "message": "…", "collector": "miso-cts", "candidate": "…", "run_id": "…"}`
public struct ScraperLogHandler: LogHandler {
    public enum Format: String, Sendable, CaseIterable {
        case text, json
    }

    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public let label: String
    public let format: Format
    private let redactor: SecretRedactor
    private let output: LogOutput

    public init(label: String, level: Logger.Level, format: Format, redactor: SecretRedactor = .shared,
                output: LogOutput = .standardError) {
        self.label = label
        self.logLevel = level
        self.format = format
        self.redactor = redactor
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let level = event.level
        let message = event.message
        var all = metadata
        if let explicit = event.metadata { all.merge(explicit) { $1 } }
        let time = ScraperLogHandler.timestamp()
        let text: String
        switch format {
        case .json:
            var object = JSONObject([("ts", .string(time)), ("level", .string(level.rawValue)), ("message", .string("\(message)"))])
            for key in all.keys.sorted() { object[key] = .string("\(all[key]!)") }
            text = object.serialized()
        case .text:
            var prefix = ""
            if let collector = all["collector"] { prefix += "[\(collector)] " }
            if let candidate = all["candidate"] { prefix += "\(candidate): " }
            let rest = all.keys.filter { $0 != "collector" && $0 != "candidate" }.sorted().map { "\($0)=\(all[$0]!)" }
            text = "\(time) \(level.rawValue.uppercased().padding(toLength: 8, withPad: " ", startingAt: 0))\(prefix)\(message)"
                + (rest.isEmpty ? "" : "  " + rest.joined(separator: " "))
        }
        output.write(redactor.redact(text) + "\n")
    }

    static func timestamp() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }
}

/// Where log lines go (stderr, or a buffer in tests); writes are serialised.
public final class LogOutput: Sendable {
    public static let standardError = LogOutput(handle: FileHandle.standardError)
    private let handle: FileHandle?
    /// Lines kept in memory when there is no handle; the lock also serialises writes to the handle.
    private let buffer = Mutex("")

    public init(handle: FileHandle?) { self.handle = handle }

    /// Collects lines in memory (`captured`).
    public static func memory() -> LogOutput { LogOutput(handle: nil) }

    public var captured: String { buffer.withLock { $0 } }

    func write(_ text: String) {
        buffer.withLock { buffer in
            if let handle { handle.write(Data(text.utf8)) } else { buffer += text }
        }
    }
}
