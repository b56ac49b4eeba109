import Foundation

/// Runs a program to completion, timing it and capturing its output: how the benchmark measures
/// start-up, peak memory (in a fresh process) and whole backfill runs.
public struct BenchmarkChild: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
    /// Wall-clock seconds from launch to exit.
    public let seconds: Double

    /// Runs `executable arguments…` in `directory` (default: the current one) and waits.
    public static func run(_ executable: String, _ arguments: [String], directory: URL? = nil,
                           environment: [String: String]? = nil) throws -> BenchmarkChild {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if let environment { process.environment = environment }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("scraper-bench-out-\(UUID().uuidString)")
        let outURL = scratch.appendingPathExtension("stdout"), errURL = scratch.appendingPathExtension("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        process.standardOutput = out
        process.standardError = err
        let start = StageClock.now()
        do {
            try process.run()
        } catch {
            throw BenchmarkError.toolMissing("cannot start \(executable): \(error.localizedDescription)")
        }
        process.waitUntilExit()
        let seconds = StageClock.now() - start
        try? out.close()
        try? err.close()
        return BenchmarkChild(status: process.terminationStatus,
                              stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
                              stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "",
                              seconds: seconds)
    }

    /// The path of the running executable (`/proc/self/exe`), for re-running it as a child.
    public static var currentExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}
