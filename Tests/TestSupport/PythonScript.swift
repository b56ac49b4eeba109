import Foundation

/// Runs a Python 3 script given as text (`python3 -c SCRIPT ARGS…`) with this process's environment, so the
/// packages scripts/install-deps.sh installed (redis-py, botocore, confluent-kafka) are importable. The Python
/// framework's own clients are the oracle of the compatibility tests.
public enum PythonScript {
    public enum Failure: Error, CustomStringConvertible {
        case pythonMissing
        case failed(CommandResult)

        public var description: String {
            switch self {
            case .pythonMissing: return "python3 is not on PATH: run scripts/install-deps.sh"
            case .failed(let r): return "python script exited \(r.status)\nstdout:\n\(r.stdout)\nstderr:\n\(r.stderr)"
            }
        }
    }

    /// Runs `script` and returns its result whatever the exit status.
    public static func run(_ script: String, _ arguments: [String] = [], timeout: Double = 120) throws -> CommandResult {
        guard let python = TestPaths.which("python3") else { throw Failure.pythonMissing }
        return try runCommand(python, ["-c", script] + arguments, environment: ProcessInfo.processInfo.environment, timeout: timeout)
    }

    /// Runs `script`, throws unless it exits 0, and returns its stdout.
    public static func output(_ script: String, _ arguments: [String] = [], timeout: Double = 120) throws -> String {
        let result = try run(script, arguments, timeout: timeout)
        guard result.status == 0 else { throw Failure.failed(result) }
        return result.stdout
    }

    /// Starts `script` without waiting (a consumer or a server the test stops).
    public static func start(_ script: String, _ arguments: [String] = []) throws -> ChildProcess {
        guard let python = TestPaths.which("python3") else { throw Failure.pythonMissing }
        return try ChildProcess(python, ["-c", script] + arguments, environment: ProcessInfo.processInfo.environment)
    }
}
