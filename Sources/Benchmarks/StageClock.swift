import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Times work with the monotonic clock: the best of several repetitions, which on a noisy shared
/// machine is the figure closest to the work's own cost.
///
/// ```swift
/// let seconds = StageClock.best(of: 3) { _ = try? Gzip.compress(body) }
/// ```
public enum StageClock {
    /// Seconds since an arbitrary fixed point, from `CLOCK_MONOTONIC`.
    public static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// Seconds one call of `body` takes.
    public static func time(_ body: () throws -> Void) rethrows -> Double {
        let start = now()
        try body()
        return now() - start
    }

    /// The shortest of `repetitions` (at least one) timed calls of `body`; `body` gets the repetition number.
    public static func best(of repetitions: Int, _ body: (Int) throws -> Void) rethrows -> Double {
        var best = Double.infinity
        for repetition in 0..<max(1, repetitions) {
            let start = now()
            try body(repetition)
            best = min(best, now() - start)
        }
        return best
    }
}
