import ArgumentParser
import CollectionFramework
import Foundation

/// Exit codes and the one-line error output the runner uses.
enum Exit {
    /// A candidate failed, or the run was interrupted with work left.
    static let failures = ExitCode(1)
    /// A bad argument or configuration value (sysexits EX_USAGE).
    static let usage = ExitCode(64)
    /// A backend could not be used (sysexits EX_UNAVAILABLE).
    static let unavailable = ExitCode(69)

    /// Prints `error: message` to stderr (secrets masked) and returns the exit code to throw.
    static func fail(_ message: String, _ code: ExitCode) -> ExitCode {
        FileHandle.standardError.write(Data(("error: " + SecretRedactor.shared.redact(message) + "\n").utf8))
        return code
    }
}

/// Writes a line to stdout (secrets masked) and flushes.
func printLine(_ text: String) {
    FileHandle.standardOutput.write(Data((SecretRedactor.shared.redact(text) + "\n").utf8))
}

/// Writes a line to stderr (secrets masked): the summary when stdout carries payloads (`run --output -`).
func printErrorLine(_ text: String) {
    FileHandle.standardError.write(Data((SecretRedactor.shared.redact(text) + "\n").utf8))
}
