import BlockingIO
import Foundation

/// Runs a program to completion, timing it and capturing its output: how the benchmark measures
/// start-up, peak memory (in a fresh process) and whole backfill runs.
///
/// The caller awaits the child's exit (Foundation's termination handler resolves it), so no thread
/// of Swift's cooperative pool is held while the child runs.
package struct BenchmarkChild: Sendable {
    package let status: Int32
    package let stdout: String
    package let stderr: String
    /// Wall-clock seconds from launch to exit.
    package let seconds: Double

    /// Runs `executable arguments…` in `directory` (default: the current one) and waits for it to exit.
    package static func run(_ executable: String, _ arguments: [String], directory: URL? = nil,
                            environment: [String: String]? = nil) async throws -> BenchmarkChild {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if let environment { process.environment = environment }
        // Output goes to files rather than pipes: a chatty child can never block on a full pipe.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("scraper-bench-out-\(UUID().uuidString)")
        let outURL = scratch.appendingPathExtension("stdout"), errURL = scratch.appendingPathExtension("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        defer {
            try? out.close()
            try? err.close()
        }
        process.standardOutput = out
        process.standardError = err
        let exit = ChildExit(process)
        let start = StageClock.now()
        do {
            try ProcessLaunch.run(process)
        } catch {
            throw BenchmarkError.toolMissing("cannot start \(executable): \(error.localizedDescription)")
        }
        let (status, end) = try await exit.value
        return BenchmarkChild(status: status,
                              stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
                              stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "",
                              seconds: end - start)
    }

    /// The path of the running executable (`/proc/self/exe`), for re-running it as a child.
    package static var currentExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}

/// A child process's exit, awaitable: its termination status and the monotonic time it was seen.
/// Install before `Process.run()` so that no exit can be missed.
struct ChildExit: Sendable {
    private let exited = AsyncOneShot<(status: Int32, at: Double)>()

    init(_ process: Process) {
        let exited = exited
        process.terminationHandler = { process in
            exited.resolve(.success((process.terminationStatus, StageClock.now())))
        }
    }

    /// Waits for the exit.
    var value: (status: Int32, at: Double) {
        get async throws { try await exited.value }
    }

    var hasExited: Bool { exited.isResolved }
}
