import Dispatch
import Foundation

/// Delivers SIGTERM and SIGINT (or other signals) as async events instead of letting them kill the
/// process: each is ignored as a signal and watched with a dispatch signal source. Keep the value
/// alive while waiting on ``events``; its sources are cancelled when it goes away.
final class StopSignals {
    /// The signal numbers, in the order they arrive.
    let events: AsyncStream<Int32>
    private let continuation: AsyncStream<Int32>.Continuation
    private let sources: [any DispatchSourceSignal]

    init(_ numbers: [Int32]) {
        let (events, continuation) = AsyncStream.makeStream(of: Int32.self)
        self.events = events
        self.continuation = continuation
        sources = numbers.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
    }

    deinit {
        for source in sources { source.cancel() }
        continuation.finish()
    }
}
