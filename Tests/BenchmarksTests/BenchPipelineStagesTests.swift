import CollectionFramework
import Logging
import TestSupport
import XCTest

/// Judges a payload with the strict parser: valid when it parses and has a `data` array.
struct ParsingValidator: Collector {
    static let typeName = "test.parsing"
    static let summary = "valid when the payload is JSON with a data array"
    let datasetGroup = "test_parsing"
    init(configuration: CollectorConfiguration) throws {}
    init() {}
    func candidates(for request: CollectionRequest) throws -> [DownloadCandidate] { [] }
    func validate(_ content: Data, for candidate: DownloadCandidate) -> ValidationResult {
        guard let count = (try? JSONParser.parse(content))?["data"]?.array?.count else {
            return .invalid(ValidationFailure(rule: "parse", reason: "not JSON with a data array"))
        }
        return .valid(ValidationReport(recordCount: count))
    }
}

/// The pipeline's middle stages with payloads large enough to be hashed and compressed beside
/// validation, and the benchmark's own pipeline measurements (their correctness, not their speed).
final class BenchPipelineStagesTests: XCTestCase {
    var directory: URL!
    override func setUp() { directory = TestPaths.temporaryDirectory("bench") }
    override func tearDown() { try? FileManager.default.removeItem(at: directory) }

    func pipeline(_ payloads: [String: Data]) throws -> (CollectionPipeline, LocalObjectStore, SQLiteHashRegistry) {
        let store = LocalObjectStore(root: directory.appendingPathComponent("store"))
        let registry = try SQLiteHashRegistry(path: directory.appendingPathComponent("registry.sqlite3").path, environment: "dev")
        let pipeline = CollectionPipeline(name: "fixture", collector: FixtureCollector(payloads: payloads),
                                          services: PipelineServices(store: store, registry: registry), http: CurlHTTPClient(),
                                          options: PipelineOptions(concurrency: 2), logger: Logger(label: "test"))
        return (pipeline, store, registry)
    }

    /// A valid fixture payload of about `size` bytes.
    func large(_ size: Int, tag: String) -> Data {
        var text = "{\"ok\": true, \"tag\": \"\(tag)\", \"filler\": ["
        var i = 0
        while text.utf8.count < size { text += "\(i * 7919 % 100_003),"; i += 1 }
        return Data((text + "0]}").utf8)
    }

    func testLargePayloadsAreStoredExactlyThenSkippedAsDuplicates() throws {
        let a = large(3 << 20, tag: "a"), b = large(600_000, tag: "b"), small = Data(#"{"ok": true}"#.utf8)
        let (pipeline, store, registry) = try pipeline(["a.json": a, "b.json": b, "small.json": small])
        let first = pipeline.run(candidates: try pipeline.collector.candidates(for: CollectionRequest(mode: .snapshot)))
        XCTAssertEqual(first.collected, 3, "\(first.errors)")
        for (name, body) in [("a.json", a), ("b.json", b), ("small.json", small)] {
            let key = StorageKey.object(datasetGroup: "test_fixture", date: CalendarDate(year: 2025, month: 1, day: 20)!, identifier: name)
            XCTAssertEqual(try Gzip.decompress(try XCTUnwrap(store.get(key: key))), body, name)
            XCTAssertNotNil(try registry.get(sha256: ContentHash.sha256Hex(body), datasetGroup: "test_fixture"), name)
        }
        let second = pipeline.run(candidates: try pipeline.collector.candidates(for: CollectionRequest(mode: .snapshot)))
        XCTAssertEqual(second.skippedDuplicate, 3)
        XCTAssertEqual(second.collected, 0)
    }

    func testALargeRefusedPayloadIsQuarantinedAndNotStored() throws {
        var bad = large(2 << 20, tag: "bad")
        bad.replaceSubrange(0..<12, with: Data("{\"ok\": nope".utf8))
        let (pipeline, store, registry) = try pipeline(["bad.json": bad])
        let summary = pipeline.run(candidates: try pipeline.collector.candidates(for: CollectionRequest(mode: .snapshot)))
        XCTAssertEqual(summary.failed, 1)
        XCTAssertEqual(summary.rejected, 1)
        XCTAssertEqual(store.keys(under: "sourcing/test_fixture"), [], "nothing stored under the dataset itself")
        let kept = store.keys(under: "").filter { $0.contains(StorageKey.rejectedFolder) && !$0.contains("reason") }
        XCTAssertEqual(kept.count, 1, "\(store.keys())")
        XCTAssertEqual(try Gzip.decompress(try XCTUnwrap(store.get(key: kept[0]))), bad)
        XCTAssertEqual(try registry.count(datasetGroup: "test_fixture"), 0)
    }

    func testPipelineBenchmarkMeasuresEveryStageAndStoresThroughThePipeline() throws {
        let payload = BenchmarkPayload.documentedCTS(nodes: 10, intervals: 12)
        let bench = PipelineBenchmark(payload: payload, validator: ParsingValidator(), gzipLevel: 6, repetitions: 2)
        let rows = try bench.run()
        XCTAssertEqual(rows.map(\.group), ["baseline", "baseline", "baseline", "stage", "stage", "stage", "stage", "stage", "pipeline"])
        XCTAssertTrue(rows.allSatisfy { $0.seconds > 0 && $0.bytes == payload.count }, "\(rows)")
        XCTAssertEqual(rows[0].ratio, 1)
        XCTAssertEqual(rows.last?.ratioLimit, PipelineBenchmark.pipelineRatioLimit)
        XCTAssertNoThrow(try bench.processOnce())
        for stage in PipelineBenchmark.stageNames { XCTAssertNoThrow(try bench.runOnce(stage: stage), stage) }
        XCTAssertThrowsError(try bench.runOnce(stage: "teleport"))
    }

    func testPipelineBenchmarkRefusesAPayloadItsValidatorRefuses() {
        let bench = PipelineBenchmark(payload: Data("not json".utf8), validator: ParsingValidator())
        XCTAssertThrowsError(try bench.run()) { error in
            guard case BenchmarkError.payloadRefused = error else { return XCTFail("\(error)") }
        }
    }
}
