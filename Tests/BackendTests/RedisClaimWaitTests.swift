import CollectionFramework
import Foundation
import Logging
import TestSupport
import XCTest

/// A claim held by another runner, against a real redis-server: the candidate waits (bounded),
/// and counts as a duplicate only when the hash really got registered. Claim takeover needs proof
/// that the owner is dead on this very host, boot and pid namespace.
final class RedisClaimWaitTests: XCTestCase {
    private var server: RedisServer!
    private var raw: RedisConnection!
    private var root: URL!
    private let payload = Data("{\"ok\": true, \"claim\": 1}".utf8)
    private var sha: String { ContentHash.sha256Hex(payload) }

    override func setUpWithError() throws {
        server = try RedisServer()
        raw = try RedisTestHelpers.rawConnection(server)
        root = TestPaths.temporaryDirectory("claim-wait")
    }

    override func tearDown() {
        raw = nil
        server = nil
    }

    private func registry() throws -> RedisHashRegistry {
        try RedisHashRegistry(configuration: RedisTestHelpers.configuration(server))
    }

    private func run(claimWait: Double) async throws -> (RunSummary, LocalObjectStore) {
        let store = LocalObjectStore(root: root)
        var options = PipelineOptions(concurrency: 1)
        options.claimWait = claimWait
        options.claimPollInterval = 0.05
        let pipeline = CollectionPipeline(name: "fixture", collector: FixtureCollector(payloads: ["a.json": payload]),
                                          services: PipelineServices(store: store, registry: try registry()),
                                          http: CurlHTTPClient(), options: options, logger: Logger(label: "test"))
        return (await pipeline.run(CollectionRequest()), store)
    }

    func testAHolderThatNeverFinishesMakesTheCandidateFailedAndRetryableNotSkipped() async throws {
        let other = try registry()
        await XCTAssertTrueAsync(try await other.claim(sha256: sha, datasetGroup: "test_fixture", ttl: 60))
        let (summary, store) = try await run(claimWait: 0.3)
        XCTAssertEqual([summary.collected, summary.skippedDuplicate, summary.failed], [0, 0, 1],
                       "an unregistered hash held by someone else is not a duplicate: \(summary.json())")
        XCTAssertFalse(summary.succeeded, "the run must exit non-zero so it is retried")
        XCTAssertTrue(summary.errors.first?.error.contains("retryable") == true, summary.json())
        XCTAssertTrue(store.keys(under: "sourcing/test_fixture").isEmpty)
    }

    func testAHolderThatRegistersDuringTheWaitMakesItADuplicate() async throws {
        let other = try registry()
        await XCTAssertTrueAsync(try await other.claim(sha256: sha, datasetGroup: "test_fixture", ttl: 60))
        let sha = self.sha
        let finisher = Task {
            try await Task.sleep(for: .milliseconds(200))
            try await other.register(sha256: sha, datasetGroup: "test_fixture", record: RedisTestHelpers.record("a"), ttl: 600)
            try await other.releaseClaim(sha256: sha, datasetGroup: "test_fixture")
        }
        let (summary, store) = try await run(claimWait: 60)
        try await finisher.value
        XCTAssertEqual([summary.collected, summary.skippedDuplicate, summary.failed], [0, 1, 0], summary.json())
        XCTAssertTrue(store.keys(under: "sourcing/test_fixture").isEmpty, "registered content is not stored twice")
    }

    func testAHolderThatGivesUpLetsThisRunnerStoreIt() async throws {
        let other = try registry()
        await XCTAssertTrueAsync(try await other.claim(sha256: sha, datasetGroup: "test_fixture", ttl: 60))
        let sha = self.sha
        let quitter = Task {
            try await Task.sleep(for: .milliseconds(200))
            try await other.releaseClaim(sha256: sha, datasetGroup: "test_fixture")  // it failed: nothing registered
        }
        let (summary, store) = try await run(claimWait: 60)
        try await quitter.value
        XCTAssertEqual([summary.collected, summary.skippedDuplicate, summary.failed], [1, 0, 0],
                       "the snapshot the other runner dropped must not be lost: \(summary.json())")
        XCTAssertEqual(store.keys(under: "sourcing/test_fixture").count, 1)
        let registered = try await registry().exists(sha256: sha, datasetGroup: "test_fixture")
        XCTAssertTrue(registered)
    }

    // MARK: - Takeover only with proof

    private func deadPid() throws -> pid_t {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        return process.processIdentifier
    }

    private func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, 255)
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: ":", with: "_")
    }

    private func holdClaim(_ token: String) throws {
        _ = try raw.command(["SET", "claim:dev:g:\(sha)", token, "EX", "60"])
    }

    func testTheOlderHostAndPidTokenIsNeverTakenOver() async throws {
        // Host names repeat across containers: host + a pid that is not alive here proves nothing.
        try holdClaim("scraper:\(hostName()):\(try deadPid()):\(UUID().uuidString)")
        await XCTAssertFalseAsync(try await registry().claim(sha256: sha, datasetGroup: "g", ttl: 30),
                                  "a claim without boot id and pid namespace was taken over")
    }

    func testAClaimOfAnotherBootOrPidNamespaceIsNotTakenOver() async throws {
        let me = ClaimOwner.Identity.current
        var rebooted = ClaimOwner.Identity(host: me.host, pid: try deadPid(), bootID: "0f0f0f0f-0000-4000-8000-000000000000",
                                           pidNamespace: me.pidNamespace, runID: "feedfacefeedface")
        try holdClaim(rebooted.token())
        await XCTAssertFalseAsync(try await registry().claim(sha256: sha, datasetGroup: "g", ttl: 30), "another boot's claim was taken over")
        rebooted.bootID = me.bootID
        rebooted.pidNamespace = "1"
        try holdClaim(rebooted.token())
        await XCTAssertFalseAsync(try await registry().claim(sha256: sha, datasetGroup: "g", ttl: 30), "another container's claim was taken over")
    }

    func testAClaimOfADeadProcessOfThisBootAndNamespaceIsTakenOver() async throws {
        let me = ClaimOwner.Identity.current
        XCTAssertNotEqual(me.bootID, "unknown", "Linux has /proc/sys/kernel/random/boot_id")
        XCTAssertNotEqual(me.pidNamespace, "unknown", "Linux has /proc/self/ns/pid")
        let dead = ClaimOwner.Identity(host: me.host, pid: try deadPid(), bootID: me.bootID, pidNamespace: me.pidNamespace, runID: "0123456789abcdef")
        try holdClaim(dead.token())
        await XCTAssertTrueAsync(try await registry().claim(sha256: sha, datasetGroup: "g", ttl: 30), "a provably dead owner's claim blocks")
        let alive = ClaimOwner.Identity(host: me.host, pid: getppid(), bootID: me.bootID, pidNamespace: me.pidNamespace, runID: "0123456789abcdef")
        XCTAssertFalse(ClaimOwner.isAbandoned(alive.token()), "a live owner's claim is not abandoned")
    }

    func testTokensCarryARandomRunIDAndParseBack() throws {
        let token = ClaimOwner.token()
        let identity = try XCTUnwrap(ClaimOwner.Identity(token: token))
        XCTAssertEqual(identity, ClaimOwner.Identity.current)
        XCTAssertEqual(identity.runID.count, 16)
        XCTAssertNotEqual(token, ClaimOwner.token(), "each claim has its own token")
        XCTAssertFalse(ClaimOwner.isAbandoned(token), "our own claim is never abandoned")
    }
}
