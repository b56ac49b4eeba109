import Foundation

/// Test hook for crash-safety tests: when the environment variable `SCRAPER_FAULT_KILL_AFTER` is
/// `fetch`, `store`, `notify` or `register`, the process SIGKILLs itself right after that stage of
/// the first candidate reaching it — no cleanup, no summary, exactly like `kill -9`. Unset (as in
/// production), it does nothing.
enum FaultKillHook {
    /// The stage named by the environment, read once.
    static let stage: String? = ProcessInfo.processInfo.environment["SCRAPER_FAULT_KILL_AFTER"].flatMap { $0.isEmpty ? nil : $0 }

    /// Kills the process when `stage` is the one the environment names.
    static func after(_ current: String) {
        guard let stage, stage == current else { return }
        kill(getpid(), SIGKILL)
    }
}
