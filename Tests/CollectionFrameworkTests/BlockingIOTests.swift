import BlockingIO
import Foundation
import Synchronization
import XCTest

/// The blocking pool and the byte channel: the two pieces every C call and every download goes through.
final class BlockingIOPoolTests: XCTestCase {
    /// Runs `jobs` blocking calls of `seconds` each on `pool` at once; returns how many ran together at most.
    private func mostAtOnce(_ pool: BlockingIOPool, jobs: Int, seconds: Double) async throws -> Int {
        let inside = Shared((now: 0, most: 0))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<jobs {
                group.addTask {
                    try await pool.run {
                        inside.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
                        Thread.sleep(forTimeInterval: seconds)
                        inside.withLock { $0.now -= 1 }
                    }
                }
            }
            try await group.waitForAll()
        }
        return inside.withLock { $0.most }
    }

    func testBlockingCallsRunBesideEachOtherOnPoolThreads() async throws {
        let pool = BlockingIOPool(name: "test-pool", maximumThreads: 4)
        let started = Date()
        let most = try await mostAtOnce(pool, jobs: 4, seconds: 0.3)
        XCTAssertEqual(most, 4, "four blocking calls ran at once on four threads")
        XCTAssertLessThan(Date().timeIntervalSince(started), 0.3 * 4 * 0.75, "they overlapped instead of queueing (hang guard)")
        XCTAssertEqual(pool.startedThreads, 4)
    }

    /// Two jobs handed over while one thread is idle must not both wait for that thread.
    func testWorkQueuedForAnIdleThreadDoesNotWaitBehindTheOtherJob() async throws {
        let pool = BlockingIOPool(name: "test-idle", maximumThreads: 4)
        try await pool.run { }   // one thread now exists and goes idle
        let order = Shared<[String]>([])
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await pool.run { Thread.sleep(forTimeInterval: 1.0); order.withLock { $0.append("slow") } } }
            group.addTask { try await pool.run { order.withLock { $0.append("fast") } } }
            try await group.waitForAll()
        }
        XCTAssertEqual(order.withLock { $0 }, ["fast", "slow"], "the quick job did not wait behind the slow one")
        XCTAssertGreaterThanOrEqual(pool.startedThreads, 2)
    }

    func testTheThreadCountIsBounded() async throws {
        let pool = BlockingIOPool(name: "test-bounded", maximumThreads: 2)
        let most = try await mostAtOnce(pool, jobs: 6, seconds: 0.05)
        XCTAssertEqual(most, 2)
        XCTAssertEqual(pool.startedThreads, 2)
    }

    func testErrorsComeBackToTheCaller() async {
        struct Boom: Error {}
        do {
            try await BlockingIOPool.shared.run { throw Boom() }
            XCTFail("no error")
        } catch {
            XCTAssertTrue(error is Boom)
        }
    }
}

final class ByteChannelTests: XCTestCase {
    func testChunksArriveInOrderAndTheEndIsNil() async throws {
        let channel = ByteChannel(limit: 1 << 20)
        BlockingIOPool.shared.execute {
            for i in 0..<100 { channel.push(Data([UInt8(i)])) }
            channel.finish()
        }
        var received: [UInt8] = []
        while let chunk = try await channel.next() { received += chunk }
        XCTAssertEqual(received, (0..<100).map(UInt8.init))
    }

    func testTheProducerWaitsWhileTheLimitIsBuffered() async throws {
        let channel = ByteChannel(limit: 10)
        let pushed = Shared(0)
        BlockingIOPool.shared.execute {
            for _ in 0..<5 {
                channel.push(Data(count: 10))
                pushed.withLock { $0 += 1 }
            }
            channel.finish()
        }
        try await Task.sleep(for: .milliseconds(200))
        XCTAssertEqual(pushed.withLock { $0 }, 0, "the first push fills the buffer and blocks until a read")
        var total = 0
        while let chunk = try await channel.next() { total += chunk.count }
        XCTAssertEqual(total, 50)
        XCTAssertEqual(pushed.withLock { $0 }, 5)
    }

    func testTheProducersErrorReachesTheConsumerAfterTheBufferedChunks() async throws {
        struct Cut: Error {}
        let channel = ByteChannel()
        channel.push(Data("a".utf8))
        channel.finish(throwing: Cut())
        let first = try await channel.next()
        XCTAssertEqual(first, Data("a".utf8))
        do {
            _ = try await channel.next()
            XCTFail("the error was lost")
        } catch {
            XCTAssertTrue(error is Cut)
        }
    }

    func testClosingReleasesABlockedProducer() async throws {
        let channel = ByteChannel(limit: 1)
        let result = AsyncOneShot<Bool>()
        BlockingIOPool.shared.execute {
            channel.push(Data([1]))                  // fills the buffer: blocks
            result.resolve(.success(channel.push(Data([2]))))
        }
        try await Task.sleep(for: .milliseconds(100))
        channel.close()
        let accepted = try await result.value
        XCTAssertFalse(accepted, "after close, push tells the producer to stop")
        XCTAssertTrue(channel.isClosed)
    }
}

/// A value several tasks and pool threads update, behind a lock.
final class Shared<Value: Sendable>: Sendable {
    private let value: Mutex<Value>
    init(_ value: Value) { self.value = Mutex(value) }
    func withLock<R: Sendable>(_ body: (inout Value) -> R) -> R { value.withLock { body(&$0) } }
}
