import Foundation
import Synchronization

/// A real `redis-server` on a free loopback port, started for one test and stopped with it.
/// Nothing is persisted (`--save '' --appendonly no`), so a restart starts empty.
public final class RedisServer: Sendable {
    /// Failures starting the server.
    public enum StartError: Error, CustomStringConvertible {
        case notInstalled
        case didNotStart(port: Int, output: String)

        public var description: String {
            switch self {
            case .notInstalled:
                return "redis-server is not on PATH: install it (apt-get install redis-server) to run the Redis tests"
            case .didNotStart(let port, let output):
                return "redis-server did not start listening on 127.0.0.1:\(port): \(output)"
            }
        }
    }

    public let executable: String
    /// The port it listens on (kept across ``restart()``).
    public var port: Int { state.withLock { $0.port } }
    /// The `--requirepass` password, if any.
    public let password: String?
    private let directory: URL
    /// The port and the running process; tests may stop or restart the server from another task.
    private let state: Mutex<(port: Int, child: ChildProcess?)>

    /// Starts a server on a free port (a few ports are tried if another process takes one first).
    public init(password: String? = nil) throws {
        guard let executable = TestPaths.which("redis-server") else { throw StartError.notInstalled }
        self.executable = executable
        self.password = password
        self.directory = TestPaths.temporaryDirectory("redis")
        self.state = Mutex((port: Loopback.freePort(), child: nil))
        var lastError: (any Error)?
        for _ in 0..<3 {
            do { try start(); return } catch { lastError = error }
            state.withLock { $0.port = Loopback.freePort() }
        }
        throw lastError ?? StartError.didNotStart(port: port, output: "")
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// True while the server process runs.
    public var isRunning: Bool { state.withLock { $0.child }?.isRunning ?? false }

    /// Starts the server on ``port`` (again, after ``stop()``), waiting until it accepts connections.
    public func start() throws {
        guard !isRunning else { return }
        let port = self.port
        var arguments = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                         "--daemonize", "no", "--dir", directory.path, "--loglevel", "warning"]
        if let password { arguments += ["--requirepass", password] }
        let process = try ChildProcess(executable, arguments)
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            guard process.isRunning else { break }
            if Loopback.isListening(port) {
                state.withLock { $0.child = process }
                return
            }
            usleep(20_000)
        }
        process.stop()
        throw StartError.didNotStart(port: port, output: process.stdout + process.stderr)
    }

    /// Stops the server (SIGTERM, then SIGKILL); the port is free again afterwards.
    public func stop() {
        let child = state.withLock { s -> ChildProcess? in
            defer { s.child = nil }
            return s.child
        }
        child?.stop()
    }

    /// Stops and starts the server on the same port; its data is gone.
    public func restart() throws {
        stop()
        try start()
    }
}
