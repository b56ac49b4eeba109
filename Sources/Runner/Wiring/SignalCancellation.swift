import Logging
import UnixSignals

/// Runs `body` and cancels it on the first SIGINT or SIGTERM: the pipeline then starts no new
/// candidate, abandons downloads in flight (reported `not_attempted`) and lets those that have
/// claimed their hash finish, and `body` still returns its (interrupted) result.
enum SignalCancellation {
    static func run<T: Sendable>(logger: Logger, _ body: @escaping @Sendable () async -> T) async -> T {
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        return await withTaskGroup(of: T?.self) { group in
            group.addTask { await body() }
            group.addTask {
                for await signal in signals {
                    logger.warning("received \(signal): finishing the candidates in progress, starting no new ones")
                    return nil
                }
                return nil
            }
            var result: T?
            while let next = await group.next() {
                if let next {
                    result = next
                    group.cancelAll()
                } else if result == nil {
                    // The signal came first: stop the run, then wait for its summary.
                    group.cancelAll()
                }
            }
            return result!
        }
    }
}
