import CollectionFramework
import Foundation

/// Crash-safety tests only: in a debug build, `SCRAPER_TEST_KILL_AFTER=fetch|store|notify|register`
/// makes the process SIGKILL itself right after that stage of the first candidate reaching it
/// (no cleanup, no summary, exactly like `kill -9`), through the pipeline's ``PipelineObserver``.
/// A release build has no such variable: this observer does not exist there.
enum FaultInjection {
    static var observer: PipelineObserver? {
        #if DEBUG
        guard let name = ProcessInfo.processInfo.environment["SCRAPER_TEST_KILL_AFTER"], !name.isEmpty,
              let stage = PipelineStage(rawValue: name) else { return nil }
        return { reached, _ in
            if reached == stage { kill(getpid(), SIGKILL) }
        }
        #else
        return nil
        #endif
    }
}
