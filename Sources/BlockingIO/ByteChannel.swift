import Dispatch
import Foundation
import Synchronization

/// Hands a response body from the pool thread that receives it (the producer) to the task that
/// consumes it, chunk by chunk, with a bound on what waits in between: when ``limit`` bytes are
/// buffered the producer blocks until the consumer catches up, so a fast network never piles a
/// whole payload up in memory twice.
///
/// - The producer calls ``push(_:)`` for each chunk and then ``finish(throwing:)`` once.
/// - The consumer calls ``next()`` until it returns nil (or throws the producer's error), or
///   ``close()`` to stop early; `push` then returns false and the producer abandons its transfer.
///   Cancelling the consuming task does not close it: a transfer in flight is finished, not cut.
public final class ByteChannel: Sendable {
    /// Bytes that may wait between producer and consumer before the producer blocks.
    public let limit: Int

    private struct State {
        var chunks: [Data] = []
        var buffered = 0
        var end: Result<Void, any Error>?
        var closed = false
        var consumer: CheckedContinuation<Data?, any Error>?
        var producerWaiting = false
    }

    private let state = Mutex(State())
    private let space = DispatchSemaphore(value: 0)

    public init(limit: Int = 4 << 20) {
        self.limit = max(1, limit)
    }

    /// True once the consumer has gone away: the producer should stop.
    public var isClosed: Bool { state.withLock { $0.closed } }

    // MARK: producer

    /// Hands over one chunk; blocks while ``limit`` bytes are waiting. Returns false when the
    /// consumer has closed the channel (the chunk is dropped).
    @discardableResult
    public func push(_ chunk: Data) -> Bool {
        enum Action { case closed, handed(CheckedContinuation<Data?, any Error>), buffered, wait }
        let action: Action = state.withLock { s in
            if s.closed { return .closed }
            if let consumer = s.consumer {
                s.consumer = nil
                return .handed(consumer)
            }
            s.chunks.append(chunk)
            s.buffered += chunk.count
            if s.buffered >= limit {
                s.producerWaiting = true
                return .wait
            }
            return .buffered
        }
        switch action {
        case .closed: return false
        case .handed(let consumer):
            consumer.resume(returning: chunk)
            return true
        case .buffered: return true
        case .wait:
            space.wait()
            return !isClosed
        }
    }

    /// Ends the stream: the consumer gets nil after the buffered chunks, or `error`.
    public func finish(throwing error: (any Error)? = nil) {
        let consumer: CheckedContinuation<Data?, any Error>? = state.withLock { s in
            guard s.end == nil else { return nil }
            s.end = error.map { .failure($0) } ?? .success(())
            let waiting = s.consumer
            s.consumer = nil
            return waiting
        }
        if let consumer {
            if let error { consumer.resume(throwing: error) } else { consumer.resume(returning: nil) }
        }
    }

    // MARK: consumer

    /// The next chunk, or nil at the end; throws the producer's error, or `CancellationError`
    /// once ``close()`` was called.
    public func next() async throws -> Data? {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Data?, any Error>) in
                enum Action { case value(Data, wake: Bool), end(Result<Void, any Error>), suspended }
                let action: Action = state.withLock { s in
                    if !s.chunks.isEmpty {
                        let chunk = s.chunks.removeFirst()
                        s.buffered -= chunk.count
                        let wake = s.producerWaiting && s.buffered < limit
                        if wake { s.producerWaiting = false }
                        return .value(chunk, wake: wake)
                    }
                    if let end = s.end { return .end(end) }
                    if s.closed { return .end(.failure(CancellationError())) }
                    s.consumer = continuation
                    return .suspended
                }
                switch action {
                case .value(let chunk, let wake):
                    if wake { space.signal() }
                    continuation.resume(returning: chunk)
                case .end(.success):
                    continuation.resume(returning: nil)
                case .end(.failure(let error)):
                    continuation.resume(throwing: error)
                case .suspended:
                    break
                }
            }
    }

    /// Stops consuming: buffered chunks are dropped, a blocked producer wakes up and its next
    /// ``push(_:)`` returns false, and a waiting ``next()`` throws `CancellationError`.
    public func close() {
        let (consumer, wake): (CheckedContinuation<Data?, any Error>?, Bool) = state.withLock { s in
            s.closed = true
            s.chunks = []
            s.buffered = 0
            let waiting = s.consumer
            s.consumer = nil
            let wake = s.producerWaiting
            s.producerWaiting = false
            return (waiting, wake)
        }
        if wake { space.signal() }
        consumer?.resume(throwing: CancellationError())
    }
}
