import CollectionFramework
import Foundation
import Synchronization
import TestSupport
import XCTest

/// Claims against a real redis-server: exclusive, self-expiring, released only by their owner.
final class RedisClaimTests: XCTestCase {
    private var server: RedisServer!
    private var raw: RedisConnection!

    override func setUpWithError() throws {
        server = try RedisServer()
        raw = try RedisTestHelpers.rawConnection(server)
    }

    override func tearDown() {
        raw = nil
        server = nil
    }

    private func registry() throws -> RedisHashRegistry {
        try RedisHashRegistry(configuration: RedisTestHelpers.configuration(server))
    }

    func testClaimUsesTheClaimKeyWithATTL() async throws {
        let sha = RedisTestHelpers.sha("claimed")
        await XCTAssertTrueAsync(try await registry().claim(sha256: sha, datasetGroup: "da_lmp", ttl: 30))
        let key = "claim:dev:da_lmp:\(sha)"
        XCTAssertNotNil(try raw.command(["GET", key]).text, "no claim stored under \(key)")
        let ttl = try XCTUnwrap(try raw.command(["TTL", key]).integer)
        XCTAssertTrue((25...30).contains(ttl), "claim TTL \(ttl) is not about 30")
        XCTAssertEqual(try raw.command(["EXISTS", "hash:dev:da_lmp:\(sha)"]).integer, 0, "a claim is not a registration")
    }

    func testOnlyOneOfManyThreadsAndRunnersWinsAClaim() async throws {
        // Two runners (own connections), each used by several threads at once.
        let runners = [try registry(), try registry()]
        for round in 0..<5 {
            let sha = RedisTestHelpers.sha("race\(round)")
            let outcomes = await withTaskGroup(of: Bool?.self) { group in
                for index in 0..<16 {
                    let runner = runners[index % 2]
                    group.addTask { try? await runner.claim(sha256: sha, datasetGroup: "g", ttl: 30) }
                }
                return await group.reduce(into: [Bool?]()) { $0.append($1) }
            }
            XCTAssertEqual(outcomes.filter { $0 == nil }.count, 0, "no claim failed")
            let wins = outcomes.filter { $0 == true }.count
            XCTAssertEqual(wins, 1, "round \(round): \(wins) tasks won the same claim")
        }
    }

    func testReleaseLetsTheNextRunnerClaimButALoserCannotRelease() async throws {
        let first = try registry(), second = try registry()
        let sha = RedisTestHelpers.sha("release")
        await XCTAssertTrueAsync(try await first.claim(sha256: sha, datasetGroup: "g", ttl: 30))
        await XCTAssertFalseAsync(try await second.claim(sha256: sha, datasetGroup: "g", ttl: 30))
        try await second.releaseClaim(sha256: sha, datasetGroup: "g")  // not its claim: nothing happens
        await XCTAssertFalseAsync(try await second.claim(sha256: sha, datasetGroup: "g", ttl: 30), "the loser released the winner's claim")
        try await first.releaseClaim(sha256: sha, datasetGroup: "g")
        try await first.releaseClaim(sha256: sha, datasetGroup: "g")  // already gone: no error
        await XCTAssertTrueAsync(try await second.claim(sha256: sha, datasetGroup: "g", ttl: 30))
    }

    func testClaimOfACrashedRunnerExpiresByItself() async throws {
        let crashed = try registry(), next = try registry()
        let sha = RedisTestHelpers.sha("expiry")
        await XCTAssertTrueAsync(try await crashed.claim(sha256: sha, datasetGroup: "g", ttl: 1))
        await XCTAssertFalseAsync(try await next.claim(sha256: sha, datasetGroup: "g", ttl: 1))
        let deadline = Date().addingTimeInterval(5)
        var claimed = false
        while !claimed && Date() < deadline {
            usleep(100_000)
            claimed = try await next.claim(sha256: sha, datasetGroup: "g", ttl: 30)
        }
        XCTAssertTrue(claimed, "the 1 s claim did not expire within 5 s")

        // The crashed runner coming back must not release the claim that is now someone else's.
        try await crashed.releaseClaim(sha256: sha, datasetGroup: "g")
        XCTAssertEqual(try raw.command(["EXISTS", "claim:dev:g:\(sha)"]).integer, 1, "an expired owner deleted the new claim")
        await XCTAssertFalseAsync(try await crashed.claim(sha256: sha, datasetGroup: "g", ttl: 30))
    }
}

/// A thread-safe counter for the race test.
private final class Counter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
