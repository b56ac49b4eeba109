import CollectionFramework
import Foundation

/// What `scraper --version` reports. Nothing is generated at build time: the commit is asked of
/// git at run time, and only when the executable sits inside a git checkout (a development
/// build under `.build/`); the build date is the executable's modification time, which the
/// linker sets when it writes the file.
struct BuildInfo: Equatable {
    var version: String
    /// Short commit hash of the checkout holding the executable, or "unknown".
    var commit: String
    /// The executable's modification time, ISO 8601 UTC, or "unknown".
    var built: String

    var lines: String {
        "scraper \(version)\ncommit: \(commit)\nbuilt: \(built)"
    }

    static func current() -> BuildInfo {
        let executable = executablePath()
        return BuildInfo(version: FrameworkVersion.current,
                         commit: executable.flatMap(commit(near:)) ?? "unknown",
                         built: executable.flatMap(modificationTime(of:)) ?? "unknown")
    }

    /// The running executable, symbolic links resolved.
    static func executablePath() -> String? {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        return Bundle.main.executablePath.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path }
    }

    static func modificationTime(of path: String) -> String? {
        guard let date = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    /// `git rev-parse --short HEAD` in the executable's folder; nil outside a checkout or without git.
    static func commit(near executable: String) -> String? {
        let folder = URL(fileURLWithPath: executable).deletingLastPathComponent()
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        guard let git = path.map({ "\($0)/git" }).first(where: FileManager.default.isExecutableFile(atPath:)) else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: git)
        process.arguments = ["-C", folder.path, "rev-parse", "--short", "HEAD"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }
}
