import BlockingIO
import Foundation

/// A program a test starts (a server, the built `scraper`), with its output captured to files.
public final class ChildProcess: @unchecked Sendable {
    public let process = Process()
    public let stdoutURL: URL
    public let stderrURL: URL

    /// Starts `executable` with `arguments`; output goes to temporary files.
    public init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                currentDirectory: URL? = nil) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("child-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        stdoutURL = dir.appendingPathComponent("stdout")
        stderrURL = dir.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        process.standardInput = FileHandle.nullDevice
        // Not `process.run()`: from an async test the spawning thread blocks SIGTERM/SIGINT, and the
        // child would inherit that (a server that ignores stop, a scraper whose signal tests hang).
        try ProcessLaunch.run(process)
    }

    public var stdout: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }
    public var stderr: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }
    public var isRunning: Bool { process.isRunning }

    /// Waits for exit (at most `timeout` seconds, then kills) and returns the exit status.
    @discardableResult
    public func wait(timeout: Double = 120) -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        return process.terminationStatus
    }

    /// The port a server child announces on stdout with a line `<prefix>PORT`, once that port
    /// accepts connections; nil when the child exits or stays silent for `timeout` seconds.
    public func listeningPort(announcedAs prefix: String, timeout: Double = 20) -> Int? {
        let deadline = Date().addingTimeInterval(timeout)
        var found: Int?
        while found == nil, Date() < deadline, isRunning {
            found = stdout.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { Int($0.dropFirst(prefix.count)) }
            if found == nil { usleep(20_000) }
        }
        guard let found, Loopback.waitUntilListening(found, timeout: 10) else { return nil }
        return found
    }

    /// Sends `signal` to the process.
    public func send(_ signal: Int32) {
        if process.isRunning { kill(process.processIdentifier, signal) }
    }

    /// Stops the process (SIGTERM, then SIGKILL after two seconds).
    public func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(2)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop() }
}

/// Runs a program to completion and returns its exit status and output.
public struct CommandResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String

    /// The last non-empty line of stdout (the run summary for `scraper run`).
    public var lastLine: String {
        stdout.split(separator: "\n").last.map(String.init) ?? ""
    }
}

public func runCommand(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                       currentDirectory: URL? = nil, timeout: Double = 180) throws -> CommandResult {
    let child = try ChildProcess(executable, arguments, environment: environment, currentDirectory: currentDirectory)
    let status = child.wait(timeout: timeout)
    return CommandResult(status: status, stdout: child.stdout, stderr: child.stderr)
}
