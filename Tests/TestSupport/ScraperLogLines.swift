import CollectionFramework
import Foundation

/// One line the scraper logged with `--log-format json`.
public struct ScraperLogLine: Sendable, Equatable {
    /// `trace`, `debug`, `info`, `notice`, `warning`, `error` or `critical`.
    public var level: String
    public var message: String
}

extension ScraperResult {
    /// The JSON log lines on stderr (lines that are not JSON objects are skipped).
    public var logLines: [ScraperLogLine] {
        ScraperLogLine.parse(stderr)
    }

    /// Messages logged at `level`.
    public func messages(at level: String) -> [String] {
        logLines.filter { $0.level == level }.map(\.message)
    }
}

extension ScraperLogLine {
    /// Parses `--log-format json` output.
    public static func parse(_ text: String) -> [ScraperLogLine] {
        text.split(separator: "\n").compactMap { line in
            guard case .object(let object)? = try? JSONValue.parse(Data(line.utf8)),
                  let level = object["level"]?.stringValue, let message = object["message"]?.stringValue else { return nil }
            return ScraperLogLine(level: level, message: message)
        }
    }
}

/// The last stdout line of a run, parsed as the JSON summary.
public func summaryObject(_ stdout: String) -> JSONObject? {
    guard let line = stdout.split(separator: "\n").last,
          case .object(let object)? = try? JSONValue.parse(Data(line.utf8)) else { return nil }
    return object
}

/// An integer field of a summary object.
public func summaryCount(_ summary: JSONObject?, _ key: String) -> Int? {
    if case .int(let value)? = summary?[key] { return value }
    return nil
}

/// Every regular file under `directory` whose name starts with `.tmp-` (a write that never finished).
public func partialFiles(under directory: URL) -> [String] {
    guard let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil) else { return [] }
    return walker.compactMap { ($0 as? URL)?.lastPathComponent }.filter { $0.hasPrefix(".tmp-") }
}

/// The permission bits (e.g. 0o600) of the file at `path`, or nil.
public func permissionBits(_ path: String) -> Int? {
    guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
          let mode = attributes[.posixPermissions] as? NSNumber else { return nil }
    return mode.intValue & 0o777
}
