import CollectionFramework
import Logging
import TestSupport
import XCTest

/// A collector that exists only in this test target: payloads come from a dictionary, a payload
/// is valid when it contains `"ok": true`.
struct FixtureCollector: Collector {
    static let typeName = "test.fixture"
    static let summary = "fixture payloads for pipeline tests"
    let datasetGroup = "test_fixture"
    let payloads: [String: Data]

    init(configuration: CollectorConfiguration) throws { payloads = [:] }
    init(payloads: [String: Data]) { self.payloads = payloads }

    func candidates(for request: CollectionRequest) throws -> [DownloadCandidate] {
        payloads.keys.sorted().map {
            DownloadCandidate(identifier: $0, sourceURL: "http://127.0.0.1:9/\($0)",
                              partitionDate: CalendarDate(year: 2025, month: 1, day: 20)!, metadata: ["source": .string("test")])
        }
    }

    func collect(_ candidate: DownloadCandidate, using http: any HTTPClient) throws -> Data {
        guard let data = payloads[candidate.identifier], !data.isEmpty else {
            throw HTTPError.status(code: 503, url: candidate.url, retryAfter: nil, bodyExcerpt: "")
        }
        return data
    }

    func validate(_ content: Data, for candidate: DownloadCandidate) -> ValidationResult {
        String(decoding: content, as: UTF8.self).contains("\"ok\": true")
            ? .valid(ValidationReport(recordCount: 1))
            : .invalid(ValidationFailure(rule: "ok_flag", reason: "payload lacks \"ok\": true", field: "ok"))
    }
}

final class RecordingNotifier: Notifier, @unchecked Sendable {
    let displayName = "recording"
    let fail: Bool
    private let lock = NSLock()
    private(set) var messages: [NotificationMessage] = []
    init(fail: Bool = false) { self.fail = fail }
    func publish(_ message: NotificationMessage) throws {
        if fail { throw NotifierError.deliveryFailed("broker down") }
        lock.lock(); messages.append(message); lock.unlock()
    }
    func close() {}
}

/// Wraps a registry and fails `register` while `failRegister` is set.
final class FlakyRegistry: HashRegistry, @unchecked Sendable {
    let inner: any HashRegistry
    var failRegister = true
    init(_ inner: any HashRegistry) { self.inner = inner }
    var displayName: String { "flaky" }
    var environment: String { inner.environment }
    func exists(sha256: String, datasetGroup: String) throws -> Bool { try inner.exists(sha256: sha256, datasetGroup: datasetGroup) }
    func claim(sha256: String, datasetGroup: String, ttl: Int) throws -> Bool { try inner.claim(sha256: sha256, datasetGroup: datasetGroup, ttl: ttl) }
    func releaseClaim(sha256: String, datasetGroup: String) throws { try inner.releaseClaim(sha256: sha256, datasetGroup: datasetGroup) }
    func register(sha256: String, datasetGroup: String, record: RegistryRecord, ttl: Int) throws {
        if failRegister { throw HashRegistryError.unavailable("registry went away") }
        try inner.register(sha256: sha256, datasetGroup: datasetGroup, record: record, ttl: ttl)
    }
    func get(sha256: String, datasetGroup: String) throws -> RegistryRecord? { try inner.get(sha256: sha256, datasetGroup: datasetGroup) }
    func delete(sha256: String, datasetGroup: String) throws -> Bool { try inner.delete(sha256: sha256, datasetGroup: datasetGroup) }
    func count(datasetGroup: String) throws -> Int { try inner.count(datasetGroup: datasetGroup) }
    func checkReachable() throws {}
}

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

    func testStoresGzippedBytesRegistersAndSkipsOnRerun() throws {
        let payload = Data("{\"ok\": true, \"n\": 1}".utf8)
        let collector = FixtureCollector(payloads: ["a.json": payload])
        let notifier = RecordingNotifier()
        let first = pipeline(collector, notifier: notifier).run(CollectionRequest())
        XCTAssertEqual([first.totalCandidates, first.collected, first.skippedDuplicate, first.failed], [1, 1, 0, 0])
        let key = "sourcing/test_fixture/year=2025/month=01/day=20/a.json.gz"
        XCTAssertEqual(first.storedKeys, [key])
        XCTAssertEqual(try Gzip.decompress(try XCTUnwrap(store.get(key: key))), payload)
        let sha = ContentHash.sha256Hex(payload)
        let record = try XCTUnwrap(registry.get(sha256: sha, datasetGroup: "test_fixture"))
        XCTAssertEqual(record.location, store.location(forKey: key))
        XCTAssertEqual(record.metadata["source"], .string("test"))
        XCTAssertNotNil(record.metadata["etag"]?.stringValue)
        XCTAssertEqual(notifier.messages.count, 1)
        XCTAssertEqual(notifier.messages.first?.key, "test_fixture:a.json")
        XCTAssertEqual(notifier.messages.first?.metadata["original_file_md5sum"], .string(sha))
        XCTAssertEqual(notifier.messages.first?.metadata["original_file_size"], .int(payload.count))

        let second = pipeline(collector, notifier: notifier).run(CollectionRequest())
        XCTAssertEqual([second.collected, second.skippedDuplicate, second.failed], [0, 1, 0])
        XCTAssertEqual(notifier.messages.count, 1, "a skipped duplicate is not announced")

        let forced = pipeline(collector, force: true).run(CollectionRequest())
        XCTAssertEqual([forced.collected, forced.skippedDuplicate], [1, 0])
        XCTAssertEqual(store.keys(under: "sourcing/test_fixture"), [key], "re-storing identical content keeps one object")
    }

    func testOneFailureDoesNotStopTheOthersAndInvalidPayloadsAreQuarantined() throws {
        let collector = FixtureCollector(payloads: [
            "good.json": Data("{\"ok\": true}".utf8),
            "down.json": Data(),
            "bad.json": Data("{\"ok\": false}".utf8),
        ])
        let summary = pipeline(collector).run(CollectionRequest())
        XCTAssertEqual([summary.totalCandidates, summary.collected, summary.failed, summary.rejected], [3, 1, 2, 1])
        XCTAssertEqual(Set(summary.errors.map(\.candidate)), ["down.json", "bad.json"])
        XCTAssertTrue(summary.errors.first { $0.candidate == "bad.json" }!.error.contains("[ok_flag]"))
        XCTAssertTrue(summary.errors.first { $0.candidate == "down.json" }!.error.contains("HTTP 503"))
        XCTAssertEqual(try registry.count(datasetGroup: "test_fixture"), 1, "nothing invalid is registered")
        let rejected = store.keys(under: "sourcing/_rejected/test_fixture")
        XCTAssertEqual(rejected.count, 2, "payload and reason: \(rejected)")
        let reasonKey = try XCTUnwrap(rejected.first { $0.hasSuffix(".reason.json.gz") })
        let reason = String(decoding: try Gzip.decompress(try XCTUnwrap(store.get(key: reasonKey))), as: UTF8.self)
        XCTAssertTrue(reason.contains("\"rule\": \"ok_flag\""), reason)
        XCTAssertFalse(summary.succeeded)
        XCTAssertTrue(summary.json().hasPrefix("{\"total_candidates\": 3, \"collected\": 1, \"skipped_duplicate\": 0, \"failed\": 2, \"errors\": ["))
    }

    func testDifferentContentUnderTheSameIdentifierGetsADistinctKey() throws {
        _ = pipeline(FixtureCollector(payloads: ["snap.json": Data("{\"ok\": true, \"v\": 1}".utf8)])).run(CollectionRequest())
        let second = pipeline(FixtureCollector(payloads: ["snap.json": Data("{\"ok\": true, \"v\": 2}".utf8)])).run(CollectionRequest())
        XCTAssertEqual(second.collected, 1)
        let keys = store.keys(under: "sourcing/test_fixture")
        XCTAssertEqual(keys.count, 2, "the first snapshot is not clobbered: \(keys)")
        XCTAssertTrue(keys.contains("sourcing/test_fixture/year=2025/month=01/day=20/snap.json.gz"))
        let sha = ContentHash.sha256Hex(Data("{\"ok\": true, \"v\": 2}".utf8))
        XCTAssertTrue(keys.contains("sourcing/test_fixture/year=2025/month=01/day=20/snap_\(sha.prefix(12)).json.gz"))
    }

    func testNotificationFailureIsCountedNotFatal() throws {
        let summary = pipeline(FixtureCollector(payloads: ["a.json": Data("{\"ok\": true}".utf8)]), notifier: RecordingNotifier(fail: true)).run(CollectionRequest())
        XCTAssertEqual([summary.collected, summary.failed, summary.notificationFailures], [1, 0, 1])
        XCTAssertTrue(summary.succeeded)
        XCTAssertEqual(try registry.count(datasetGroup: "test_fixture"), 1)
    }

    func testRegistryFailureAfterStoreIsReportedFailedAndARerunConverges() throws {
        let payload = Data("{\"ok\": true}".utf8)
        let collector = FixtureCollector(payloads: ["a.json": payload])
        let flaky = FlakyRegistry(registry)
        let first = pipeline(collector, registry: flaky).run(CollectionRequest())
        XCTAssertEqual([first.collected, first.failed], [0, 1], "what cannot be registered is failed, never collected")
        XCTAssertTrue(first.errors[0].error.contains("could not register"))
        XCTAssertEqual(store.keys(under: "sourcing/test_fixture").count, 1, "the object was stored before registration")
        flaky.failRegister = false
        let rerun = pipeline(collector, registry: flaky).run(CollectionRequest())
        XCTAssertEqual([rerun.collected, rerun.failed], [1, 0])
        XCTAssertEqual(store.keys(under: "sourcing/test_fixture").count, 1, "the rerun re-stores idempotently")
        XCTAssertTrue(try registry.exists(sha256: ContentHash.sha256Hex(payload), datasetGroup: "test_fixture"))
    }

    func testHeldClaimMeansAnotherRunnerIsStoringIt() throws {
        let payload = Data("{\"ok\": true}".utf8)
        let other = try SQLiteHashRegistry(path: root.appendingPathComponent("registry.sqlite3").path, environment: "dev")
        XCTAssertTrue(try other.claim(sha256: ContentHash.sha256Hex(payload), datasetGroup: "test_fixture", ttl: 60))
        let summary = pipeline(FixtureCollector(payloads: ["a.json": payload])).run(CollectionRequest())
        XCTAssertEqual([summary.collected, summary.skippedDuplicate], [0, 1])
        XCTAssertTrue(store.keys(under: "sourcing/test_fixture").isEmpty)
    }

    func testCancelledRunLeavesTheRestNotAttempted() {
        let collector = FixtureCollector(payloads: ["a.json": Data("{\"ok\": true}".utf8), "b.json": Data("{\"ok\": true}".utf8)])
        let p = pipeline(collector)
        p.cancellation.cancel()
        let summary = p.run(CollectionRequest())
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
