import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Times work with the monotonic clock: the best of several repetitions, which on a noisy shared
/// machine is the figure closest to the work's own cost.
///
/// Synchronous CPU work (zlib, SHA-256, a parse) is timed with ``best(of:_:)``, so nothing but
/// the work itself sits between the two clock readings; work that awaits (the pipeline, a
/// download) with ``bestAwaiting(of:_:)``.
///
/// ```swift
/// let seconds = StageClock.best(of: 3) { _ in _ = try? Gzip.compress(body) }
/// let whole = await StageClock.bestAwaiting(of: 3) { n in _ = await pipeline.process(candidate(n)) }
/// ```
package enum StageClock {
    /// Seconds since an arbitrary fixed point, from `CLOCK_MONOTONIC`.
    package static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// Seconds one call of `body` takes.
    package static func time(_ body: () throws -> Void) rethrows -> Double {
        let start = now()
        try body()
        return now() - start
    }

    /// The shortest of `repetitions` (at least one) timed calls of `body`; `body` gets the repetition number.
    package static func best(of repetitions: Int, _ body: (Int) throws -> Void) rethrows -> Double {
        var best = Double.infinity
        for repetition in 0..<max(1, repetitions) {
            let start = now()
            try body(repetition)
            best = min(best, now() - start)
        }
        return best
    }

    /// The shortest of `repetitions` (at least one) timed runs of async `body`; `body` gets the repetition number.
    package static func bestAwaiting(of repetitions: Int, _ body: (Int) async throws -> Void) async rethrows -> Double {
        var best = Double.infinity
        for repetition in 0..<max(1, repetitions) {
            let start = now()
            try await body(repetition)
            best = min(best, now() - start)
        }
        return best
    }
}
