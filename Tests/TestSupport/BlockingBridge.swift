import CollectionFramework
import Dispatch
import Foundation

/// Runs async code to its end from synchronous test code (helpers that poll a server, tests that
/// drive a child process). Blocks the calling thread, never a thread of the cooperative pool.
public func runBlocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
        box.result = await Result(asyncCatching: { try await body() })
        done.signal()
    }
    done.wait()
    return try box.result!.get()
}

/// The result handed from the task to the waiting thread; written before the semaphore is
/// signalled and read after the wait, so the semaphore orders the two accesses.
private final class ResultBox<T: Sendable>: @unchecked Sendable {
    var result: Result<T, any Error>?
}

extension Result where Failure == any Error {
    init(asyncCatching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}

extension HTTPClient {
    /// ``HTTPClient/send(_:)`` for synchronous test code.
    public func sendBlocking(_ request: HTTPRequest) throws -> HTTPResponse {
        try runBlocking { try await self.send(request) }
    }
}
