import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Starting child processes from async code.
///
/// The threads that run Swift tasks block most signals, and a child inherits the signal mask of
/// the thread that spawns it: a `Process` started from a task would ignore SIGTERM and SIGINT
/// (a server that cannot be stopped, a `scraper run` whose signal handling never fires). Start
/// children through ``run(_:)`` instead of `Process.run()`.
public enum ProcessLaunch {
    /// Runs `process` with every signal unblocked in the child (the calling thread's mask is
    /// cleared for the spawn and restored after it).
    public static func run(_ process: Process) throws {
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        var previous = sigset_t()
        pthread_sigmask(SIG_SETMASK, &unblocked, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        try process.run()
    }
}
