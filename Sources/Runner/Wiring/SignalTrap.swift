import CollectionFramework
import Foundation
import Logging

/// Turns SIGINT/SIGTERM into a cancellation: the candidates in progress finish, no new ones start,
/// and the summary is still printed.
final class SignalTrap {
    private var sources: [any DispatchSourceSignal] = []

    init(cancellation: CancellationFlag, logger: Logger, onSignal: (@Sendable () -> Void)? = nil) {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                logger.warning("received \(sig == SIGINT ? "SIGINT" : "SIGTERM"): finishing the candidates in progress, starting no new ones")
                cancellation.cancel()
                onSignal?()
            }
            source.resume()
            sources.append(source)
        }
    }

    func release() {
        sources.forEach { $0.cancel() }
        sources = []
    }
}
