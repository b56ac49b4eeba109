import CollectionFramework
import Foundation

/// Runs the built `scraper` binary in a working directory of its own and reads its summary.
public struct ScraperInvocation: Sendable {
    /// Working directory (no collectors.yaml unless a test writes one: built-in defaults apply).
    public let directory: URL
    /// Extra environment variables (on top of PATH and HOME).
    public var environment: [String: String]

    public init(directory: URL = TestPaths.temporaryDirectory("run"), environment: [String: String] = [:]) {
        self.directory = directory
        self.environment = environment
    }

    /// Runs `scraper ARGS…` and waits.
    public func run(_ arguments: [String], timeout: Double = 180) throws -> ScraperResult {
        var env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
                   "HOME": directory.path]
        env.merge(environment) { $1 }
        let result = try runCommand(TestPaths.product("scraper"), arguments, environment: env, currentDirectory: directory, timeout: timeout)
        return ScraperResult(result)
    }

    /// Starts `scraper ARGS…` without waiting (for signal and concurrency tests).
    public func start(_ arguments: [String]) throws -> ChildProcess {
        var env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": directory.path]
        env.merge(environment) { $1 }
        return try ChildProcess(TestPaths.product("scraper"), arguments, environment: env, currentDirectory: directory)
    }

    /// The embedded store of this working directory.
    public var store: LocalObjectStore { LocalObjectStore(root: directory.appendingPathComponent("data")) }

    /// The embedded registry of this working directory.
    public func registry(environment: String = "dev") throws -> SQLiteHashRegistry {
        try SQLiteHashRegistry(path: directory.appendingPathComponent("data/registry.sqlite3").path, environment: environment)
    }

    /// Writes `collectors.yaml` into the working directory.
    public func writeConfig(_ yaml: String) throws {
        try yaml.write(to: directory.appendingPathComponent("collectors.yaml"), atomically: true, encoding: .utf8)
    }
}

/// Exit status, output and the parsed summary line of one `scraper` run.
public struct ScraperResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String

    init(_ result: CommandResult) {
        status = result.status
        stdout = result.stdout
        stderr = result.stderr
    }

    /// The last stdout line parsed as a JSON object (the run summary), or nil.
    public var summary: JSONObject? {
        guard let line = stdout.split(separator: "\n").last,
              case .object(let object)? = try? JSONValue.parse(Data(line.utf8)) else { return nil }
        return object
    }

    /// An integer field of the summary.
    public func count(_ key: String) -> Int? {
        if case .int(let value)? = summary?[key] { return value }
        return nil
    }

    /// The summary's error strings.
    public var errors: [String] {
        guard case .array(let items)? = summary?["errors"] else { return [] }
        return items.compactMap { item -> String? in
            if case .object(let o) = item { return o["error"]?.stringValue }
            return nil
        }
    }

    /// For failure messages.
    public var transcript: String { "exit \(status)\nstdout:\n\(stdout)\nstderr:\n\(stderr)" }
}
