import CollectionFramework
import Logging
import TestSupport
import XCTest

final class PipelineTests: XCTestCase {
    var root: URL!
    var store: LocalObjectStore!
    var registry: SQLiteHashRegistry!

    override func setUpWithError() throws {
        root = TestPaths.temporaryDirectory("pipeline")
        store = LocalObjectStore(root: root)
        registry = try SQLiteHashRegistry(path: root.appendingPathComponent("registry.sqlite3").path, environment: "dev")
    }

    func pipeline(_ collector: any Collector, registry: (any HashRegistry)? = nil, notifier: (any Notifier)? = nil,
                  force: Bool = false) -> CollectionPipeline {
        CollectionPipeline(name: "fixture", collector: collector,
                           services: PipelineServices(store: store, registry: registry ?? self.registry, notifier: notifier),
                           http: CurlHTTPClient(), options: PipelineOptions(force: force, concurrency: 3),
                           logger: Logger(label: "test"))
    }

    func testStoresGzippedBytesRegistersAndSkipsOnRerun() async throws {
        let payload = Data("{\"ok\": true, \"n\": 1}".utf8)
        let collector = FixtureCollector(payloads: ["a.json": payload])
        let notifier = RecordingNotifier()
        let first = await pipeline(collector, notifier: notifier).run(CollectionRequest())
        XCTAssertEqual([first.totalCandidates, first.collected, first.skippedDuplicate, first.failed], [1, 1, 0, 0])
        let key = "sourcing/test_fixture/year=2025/month=01/day=20/a.json.gz"
        XCTAssertEqual(first.storedKeys, [key])
        let storedBody = try await store.get(key: key)
        XCTAssertEqual(try Gzip.decompress(try XCTUnwrap(storedBody)), payload)
        let sha = ContentHash.sha256Hex(payload)
        let found = try await registry.get(sha256: sha, datasetGroup: "test_fixture")
        let record = try XCTUnwrap(found)
        XCTAssertEqual(record.location, store.location(forKey: key))
        XCTAssertEqual(record.metadata["source"], .string("test"))
        XCTAssertNotNil(record.metadata["etag"]?.stringValue)
        XCTAssertEqual(notifier.messages.count, 1)
        XCTAssertEqual(notifier.messages.first?.key, "test_fixture:a.json")
        XCTAssertEqual(notifier.messages.first?.metadata["original_file_md5sum"], .string(sha))
        XCTAssertEqual(notifier.messages.first?.metadata["original_file_size"], .int(payload.count))

        let second = await pipeline(collector, notifier: notifier).run(CollectionRequest())
        XCTAssertEqual([second.collected, second.skippedDuplicate, second.failed], [0, 1, 0])
        XCTAssertEqual(notifier.messages.count, 1, "a skipped duplicate is not announced")

        let forced = await pipeline(collector, force: true).run(CollectionRequest())
        XCTAssertEqual([forced.collected, forced.skippedDuplicate], [1, 0])
        XCTAssertEqual(store.keys(under: "sourcing/test_fixture"), [key], "re-storing identical content keeps one object")
    }

    func testOneFailureDoesNotStopTheOthersAndInvalidPayloadsAreQuarantined() async throws {
        let collector = FixtureCollector(payloads: [
            "good.json": Data("{\"ok\": true}".utf8),
            "down.json": Data(),
            "bad.json": Data("{\"ok\": false}".utf8),
        ])
        let summary = await pipeline(collector).run(CollectionRequest())
        XCTAssertEqual([summary.totalCandidates, summary.collected, summary.failed, summary.rejected], [3, 1, 2, 1])
        XCTAssertEqual(Set(summary.errors.map(\.candidate)), ["down.json", "bad.json"])
        XCTAssertTrue(summary.errors.first { $0.candidate == "bad.json" }!.error.contains("[ok_flag]"))
        XCTAssertTrue(summary.errors.first { $0.candidate == "down.json" }!.error.contains("HTTP 503"))
        let registered = try await registry.count(datasetGroup: "test_fixture")
        XCTAssertEqual(registered, 1, "nothing invalid is registered")
        let rejected = store.keys(under: "sourcing/_rejected/test_fixture")
        XCTAssertEqual(rejected.count, 2, "payload and reason: \(rejected)")
        let reasonKey = try XCTUnwrap(rejected.first { $0.hasSuffix(".reason.json.gz") })
        let reasonBody = try await store.get(key: reasonKey)
        let reason = String(decoding: try Gzip.decompress(try XCTUnwrap(reasonBody)), as: UTF8.self)
        XCTAssertTrue(reason.contains("\"rule\": \"ok_flag\""), reason)
        XCTAssertFalse(summary.succeeded)
        XCTAssertTrue(summary.json().hasPrefix("{\"total_candidates\": 3, \"collected\": 1, \"skipped_duplicate\": 0, \"failed\": 2, \"errors\": ["))
    }

    func testDifferentContentUnderTheSameIdentifierGetsADistinctKey() async throws {
        _ = await pipeline(FixtureCollector(payloads: ["snap.json": Data("{\"ok\": true, \"v\": 1}".utf8)])).run(CollectionRequest())
        let second = await pipeline(FixtureCollector(payloads: ["snap.json": Data("{\"ok\": true, \"v\": 2}".utf8)])).run(CollectionRequest())
        XCTAssertEqual(second.collected, 1)
        let keys = store.keys(under: "sourcing/test_fixture")
        XCTAssertEqual(keys.count, 2, "the first snapshot is not clobbered: \(keys)")
        XCTAssertTrue(keys.contains("sourcing/test_fixture/year=2025/month=01/day=20/snap.json.gz"))
        let sha = ContentHash.sha256Hex(Data("{\"ok\": true, \"v\": 2}".utf8))
        XCTAssertTrue(keys.contains("sourcing/test_fixture/year=2025/month=01/day=20/snap_\(sha.prefix(12)).json.gz"))
    }

    func testARevisedDocumentReplacesItsKeyAndThePreviousContentIsKept() async throws {
        let v1 = Data("{\"ok\": true, \"forecast\": 1}".utf8), v2 = Data("{\"ok\": true, \"forecast\": 2}".utf8)
        _ = await pipeline(FixtureCollector(payloads: ["day.json": v1], changedContent: .replacePrevious)).run(CollectionRequest())
        let second = await pipeline(FixtureCollector(payloads: ["day.json": v2], changedContent: .replacePrevious)).run(CollectionRequest())
        let key = "sourcing/test_fixture/year=2025/month=01/day=20/day.json.gz"
        XCTAssertEqual([second.collected, second.failed], [1, 0])
        XCTAssertEqual(second.storedKeys, [key], "the revision goes to the normal key")
        let body = try await store.get(key: key)
        XCTAssertEqual(try Gzip.decompress(try XCTUnwrap(body)), v2, "readers of the normal key see the newest content")
        let history = StorageKey.history(of: key, previousSHA256: ContentHash.sha256Hex(v1))
        let kept = try await store.get(key: history)
        XCTAssertEqual(try Gzip.decompress(try XCTUnwrap(kept)), v1, "nothing is lost")
        XCTAssertEqual(store.keys(under: "sourcing/test_fixture"), [key], "no <id>_<sha12> copy beside it")
        let record = try await registry.get(sha256: ContentHash.sha256Hex(v2), datasetGroup: "test_fixture")
        XCTAssertEqual(record?.location, store.location(forKey: key))
        let previous = try await registry.get(sha256: ContentHash.sha256Hex(v1), datasetGroup: "test_fixture")
        XCTAssertEqual(previous?.location, store.location(forKey: history), "the previous content's record follows it to its history key")
    }

    func testARevisionThatIsRevertedPutsTheEarlierContentBackAtTheKey() async throws {
        let v1 = Data("{\"ok\": true, \"forecast\": 1}".utf8), v2 = Data("{\"ok\": true, \"forecast\": 2}".utf8)
        let key = "sourcing/test_fixture/year=2025/month=01/day=20/day.json.gz"
        for (round, payload) in [v1, v2, v1].enumerated() {
            let summary = await pipeline(FixtureCollector(payloads: ["day.json": payload], changedContent: .replacePrevious)).run(CollectionRequest())
            XCTAssertEqual([summary.collected, summary.skippedDuplicate, summary.failed], [1, 0, 0], "round \(round)")
        }
        let body = try await store.get(key: key)
        XCTAssertEqual(try Gzip.decompress(try XCTUnwrap(body)), v1, "the source went back to v1: so does the key")
        let record = try await registry.get(sha256: ContentHash.sha256Hex(v1), datasetGroup: "test_fixture")
        XCTAssertEqual(record?.location, store.location(forKey: key))
        XCTAssertNil(record?.metadata[RegistryRecord.supersededKey], "v1 is current again")
        let v2Record = try await registry.get(sha256: ContentHash.sha256Hex(v2), datasetGroup: "test_fixture")
        XCTAssertEqual(v2Record?.location, store.location(forKey: StorageKey.history(of: key, previousSHA256: ContentHash.sha256Hex(v2))))
        XCTAssertNotNil(v2Record?.metadata[RegistryRecord.supersededKey])

        // Unchanged content is still a duplicate.
        let again = await pipeline(FixtureCollector(payloads: ["day.json": v1], changedContent: .replacePrevious)).run(CollectionRequest())
        XCTAssertEqual([again.collected, again.skippedDuplicate], [0, 1])
        // Snapshots keep the plain rule: registered is a duplicate.
        let snapshot = await pipeline(FixtureCollector(payloads: ["day.json": v2])).run(CollectionRequest())
        XCTAssertEqual([snapshot.collected, snapshot.skippedDuplicate], [0, 1])
    }

    func testNotificationFailureIsCountedNotFatal() async throws {
        let summary = await pipeline(FixtureCollector(payloads: ["a.json": Data("{\"ok\": true}".utf8)]), notifier: RecordingNotifier(fail: true)).run(CollectionRequest())
        XCTAssertEqual([summary.collected, summary.failed, summary.notificationFailures], [1, 0, 1])
        XCTAssertTrue(summary.succeeded)
        let registered = try await registry.count(datasetGroup: "test_fixture")
        XCTAssertEqual(registered, 1)
    }

    func testRegistryFailureAfterStoreIsReportedFailedAndARerunConverges() async throws {
        let payload = Data("{\"ok\": true}".utf8)
        let collector = FixtureCollector(payloads: ["a.json": payload])
        let flaky = FlakyRegistry(registry)
        let first = await pipeline(collector, registry: flaky).run(CollectionRequest())
        XCTAssertEqual([first.collected, first.failed], [0, 1], "what cannot be registered is failed, never collected")
        XCTAssertTrue(first.errors[0].error.contains("could not register"))
        XCTAssertEqual(store.keys(under: "sourcing/test_fixture").count, 1, "the object was stored before registration")
        flaky.failRegister = false
        let rerun = await pipeline(collector, registry: flaky).run(CollectionRequest())
        XCTAssertEqual([rerun.collected, rerun.failed], [1, 0])
        XCTAssertEqual(store.keys(under: "sourcing/test_fixture").count, 1, "the rerun re-stores idempotently")
        let exists = try await registry.exists(sha256: ContentHash.sha256Hex(payload), datasetGroup: "test_fixture")
        XCTAssertTrue(exists)
    }

    func testHeldClaimThatIsNeverRegisteredFailsTheCandidate() async throws {
        let payload = Data("{\"ok\": true}".utf8)
        let other = try SQLiteHashRegistry(path: root.appendingPathComponent("registry.sqlite3").path, environment: "dev")
        let claimed = try await other.claim(sha256: ContentHash.sha256Hex(payload), datasetGroup: "test_fixture", ttl: 60)
        XCTAssertTrue(claimed)
        var options = PipelineOptions(concurrency: 1)
        options.claimWait = 0.2
        options.claimPollInterval = 0.05
        let summary = await CollectionPipeline(name: "fixture", collector: FixtureCollector(payloads: ["a.json": payload]),
                                               services: PipelineServices(store: store, registry: registry), http: CurlHTTPClient(),
                                               options: options, logger: Logger(label: "test")).run(CollectionRequest())
        XCTAssertEqual([summary.collected, summary.skippedDuplicate, summary.failed], [0, 0, 1],
                       "held but never registered: failed (retryable), not a duplicate")
        XCTAssertTrue(store.keys(under: "sourcing/test_fixture").isEmpty)
    }

    func testCancelledRunLeavesTheRestNotAttempted() async {
        let collector = FixtureCollector(payloads: ["a.json": Data("{\"ok\": true}".utf8), "b.json": Data("{\"ok\": true}".utf8)])
        let p = pipeline(collector)
        let run = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await p.run(CollectionRequest())
        }
        let summary = await run.value
        XCTAssertEqual(summary.notAttempted, 2)
        XCTAssertTrue(summary.interrupted)
        XCTAssertFalse(summary.succeeded)
    }

    func testGenerationFailureShape() {
        let summary = RunSummary.generationFailure(collector: "x", error: "bad filter")
        XCTAssertTrue(summary.json().hasPrefix("{\"total_candidates\": 0, \"collected\": 0, \"skipped_duplicate\": 0, \"failed\": 0, \"errors\": [{\"candidate\": \"generation\", \"error\": \"bad filter\"}]"))
        XCTAssertFalse(summary.succeeded)
    }
}
