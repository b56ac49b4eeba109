import CollectionFramework
import Foundation
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

    func testClaimUsesTheClaimKeyWithATTL() throws {
        let sha = RedisTestHelpers.sha("claimed")
        XCTAssertTrue(try registry().claim(sha256: sha, datasetGroup: "da_lmp", ttl: 30))
        let key = "claim:dev:da_lmp:\(sha)"
        XCTAssertNotNil(try raw.command(["GET", key]).text, "no claim stored under \(key)")
        let ttl = try XCTUnwrap(try raw.command(["TTL", key]).integer)
        XCTAssertTrue((25...30).contains(ttl), "claim TTL \(ttl) is not about 30")
        XCTAssertEqual(try raw.command(["EXISTS", "hash:dev:da_lmp:\(sha)"]).integer, 0, "a claim is not a registration")
    }

    func testOnlyOneOfManyThreadsAndRunnersWinsAClaim() throws {
        // Two runners (own connections), each used by several threads at once.
        let runners = [try registry(), try registry()]
        for round in 0..<5 {
            let sha = RedisTestHelpers.sha("race\(round)")
            let wins = Counter()
            let failures = Counter()
            DispatchQueue.concurrentPerform(iterations: 16) { index in
                do {
                    if try runners[index % 2].claim(sha256: sha, datasetGroup: "g", ttl: 30) { wins.increment() }
                } catch {
                    failures.increment()
                }
            }
            XCTAssertEqual(failures.value, 0)
            XCTAssertEqual(wins.value, 1, "round \(round): \(wins.value) threads won the same claim")
        }
    }

    func testReleaseLetsTheNextRunnerClaimButALoserCannotRelease() throws {
        let first = try registry(), second = try registry()
        let sha = RedisTestHelpers.sha("release")
        XCTAssertTrue(try first.claim(sha256: sha, datasetGroup: "g", ttl: 30))
        XCTAssertFalse(try second.claim(sha256: sha, datasetGroup: "g", ttl: 30))
        try second.releaseClaim(sha256: sha, datasetGroup: "g")  // not its claim: nothing happens
        XCTAssertFalse(try second.claim(sha256: sha, datasetGroup: "g", ttl: 30), "the loser released the winner's claim")
        try first.releaseClaim(sha256: sha, datasetGroup: "g")
        try first.releaseClaim(sha256: sha, datasetGroup: "g")  // already gone: no error
        XCTAssertTrue(try second.claim(sha256: sha, datasetGroup: "g", ttl: 30))
    }

    func testClaimOfACrashedRunnerExpiresByItself() throws {
        let crashed = try registry(), next = try registry()
        let sha = RedisTestHelpers.sha("expiry")
        XCTAssertTrue(try crashed.claim(sha256: sha, datasetGroup: "g", ttl: 1))
        XCTAssertFalse(try next.claim(sha256: sha, datasetGroup: "g", ttl: 1))
        let deadline = Date().addingTimeInterval(5)
        var claimed = false
        while !claimed && Date() < deadline {
            usleep(100_000)
            claimed = try next.claim(sha256: sha, datasetGroup: "g", ttl: 30)
        }
        XCTAssertTrue(claimed, "the 1 s claim did not expire within 5 s")

        // The crashed runner coming back must not release the claim that is now someone else's.
        try crashed.releaseClaim(sha256: sha, datasetGroup: "g")
        XCTAssertEqual(try raw.command(["EXISTS", "claim:dev:g:\(sha)"]).integer, 1, "an expired owner deleted the new claim")
        XCTAssertFalse(try crashed.claim(sha256: sha, datasetGroup: "g", ttl: 30))
    }
}

/// A thread-safe counter for the race test.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
