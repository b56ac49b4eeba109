import Benchmarks
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
        let pipeline = CollectionPipeline(name: "fixture", collector: FixtureCollector(payloads: payloads, checkedPrefix: 64),
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

    func testLargePayloadsAreStoredExactlyThenSkippedAsDuplicates() async throws {
        let a = large(3 << 20, tag: "a"), b = large(600_000, tag: "b"), small = Data(#"{"ok": true}"#.utf8)
        let (pipeline, store, registry) = try pipeline(["a.json": a, "b.json": b, "small.json": small])
        let first = await pipeline.run(candidates: try pipeline.collector.candidates(for: CollectionRequest(mode: .snapshot)))
        XCTAssertEqual(first.collected, 3, "\(first.errors)")
        for (name, body) in [("a.json", a), ("b.json", b), ("small.json", small)] {
            let key = StorageKey.object(datasetGroup: "test_fixture", date: CalendarDate(year: 2025, month: 1, day: 20)!, identifier: name)
            let stored = try await store.get(key: key)
            XCTAssertEqual(try Gzip.decompress(try XCTUnwrap(stored)), body, name)
            let record = try await registry.get(sha256: ContentHash.sha256Hex(body), datasetGroup: "test_fixture")
            XCTAssertNotNil(record, name)
        }
        let second = await pipeline.run(candidates: try pipeline.collector.candidates(for: CollectionRequest(mode: .snapshot)))
        XCTAssertEqual(second.skippedDuplicate, 3)
        XCTAssertEqual(second.collected, 0)
    }

    func testALargeRefusedPayloadIsQuarantinedAndNotStored() async throws {
        var bad = large(2 << 20, tag: "bad")
        bad.replaceSubrange(0..<12, with: Data("{\"ok\": nope".utf8))
        let (pipeline, store, registry) = try pipeline(["bad.json": bad])
        let summary = await pipeline.run(candidates: try pipeline.collector.candidates(for: CollectionRequest(mode: .snapshot)))
        XCTAssertEqual(summary.failed, 1)
        XCTAssertEqual(summary.rejected, 1)
        XCTAssertEqual(store.keys(under: "sourcing/test_fixture"), [], "nothing stored under the dataset itself")
        let kept = store.keys(under: "").filter { $0.contains(StorageKey.rejectedFolder) && !$0.contains("reason") }
        XCTAssertEqual(kept.count, 1, "\(store.keys())")
        let keptBody = try await store.get(key: kept[0])
        XCTAssertEqual(try Gzip.decompress(try XCTUnwrap(keptBody)), bad)
        let count = try await registry.count(datasetGroup: "test_fixture")
        XCTAssertEqual(count, 0)
    }

    func testPipelineBenchmarkMeasuresEveryStageAndStoresThroughThePipeline() async throws {
        let payload = BenchmarkPayload.documentedCTS(nodes: 10, intervals: 12)
        let bench = PipelineBenchmark(payload: payload, validator: ParsingValidator(), gzipLevel: 6, repetitions: 2)
        let rows = try await bench.run()
        XCTAssertEqual(rows.map(\.group), ["baseline", "baseline", "baseline", "stage", "stage", "stage", "stage", "stage", "pipeline"])
        XCTAssertTrue(rows.allSatisfy { $0.seconds > 0 && $0.bytes == payload.count }, "\(rows)")
        XCTAssertEqual(rows[0].ratio, 1)
        XCTAssertEqual(rows.last?.ratioLimit, PipelineBenchmark.pipelineRatioLimit)
        try await bench.processOnce()
        for stage in PipelineBenchmark.stageNames {
            do { try await bench.runOnce(stage: stage) } catch { XCTFail("\(stage): \(error)") }
        }
        do {
            try await bench.runOnce(stage: "teleport")
            XCTFail("an unknown stage is refused")
        } catch BenchmarkError.toolMissing(let message) {
            XCTAssertTrue(message.contains("teleport"), message)
        }
    }

    func testPipelineBenchmarkRefusesAPayloadItsValidatorRefuses() async {
        let bench = PipelineBenchmark(payload: Data("not json".utf8), validator: ParsingValidator())
        do {
            _ = try await bench.run()
            XCTFail("a refused payload is an error")
        } catch {
            guard case BenchmarkError.payloadRefused = error else { return XCTFail("\(error)") }
        }
    }

    // MARK: the streaming rows

    func testStreamingRowsComeFromOneRunAndTheirFiguresAreNumbers() async throws {
        let payload = BenchmarkPayload.documentedCTS(nodes: 10, intervals: 96)   // about 260 kB: several 64 KiB pieces
        let rate = 2e6
        let bench = StreamingBenchmark(payload: payload, validator: ParsingValidator(), validatorLabel: "a full parse",
                                       bytesPerSecond: rate, gzipLevel: 6, repetitions: 2)
        let rows = try await bench.run()
        XCTAssertEqual(rows.map(\.group), ["streaming", "streaming", "streaming"])
        for row in rows {
            XCTAssertEqual(row.bytes, payload.count, row.name)
            XCTAssertTrue(row.seconds.isFinite && row.seconds > 0, "\(row)")
            let ratio = try XCTUnwrap(row.ratio, row.name)
            XCTAssertTrue(ratio.isFinite && ratio > 0, "\(row)")
            XCTAssertTrue(try XCTUnwrap(row.megabytesPerSecond).isFinite, row.name)
            XCTAssertEqual(row.ratioReference, "download")
            let cells = BenchmarkTable.cells(row)
            XCTAssertNotNil(Double(cells[3]), "seconds cell \(cells[3]) is a number")
            XCTAssertTrue(cells[5].hasSuffix("x of download"), cells[5])
        }
        XCTAssertEqual(rows[0].ratio, 1)
        XCTAssertEqual(rows[1].ratio!, rows[1].seconds / rows[0].seconds, accuracy: 1e-12)
        XCTAssertEqual(rows[1].ratioLimit, StreamingBenchmark.ratioLimit)
        XCTAssertNil(rows[2].ratioLimit, "the whole-payload validation row is informational")
        XCTAssertTrue(rows[1].name.contains("streaming check"), rows[1].name)
        XCTAssertTrue(rows[2].name.contains("a full parse") && rows[2].name.contains("after the last byte"), rows[2].name)
        // The link really is throttled: the first 64 KiB piece goes at once, every later one only
        // when the rate allows (a lower bound from the schedule, not a timing guess).
        let floor = Double(payload.count - (64 << 10)) / rate
        XCTAssertGreaterThan(floor, 0.05)
        for row in rows { XCTAssertGreaterThanOrEqual(row.seconds, floor * 0.95, row.name) }
    }

    func testStreamingBenchmarkRefusesAPayloadEitherValidatorRefuses() async {
        for payload in [Data("not json".utf8), Data(#"{"data": [1, 2]"#.utf8)] {
            let bench = StreamingBenchmark(payload: payload, validator: PermissiveValidator(), bytesPerSecond: 1e6, repetitions: 1)
            do {
                _ = try await bench.run()
                XCTFail("a refused payload is an error")
            } catch {
                guard case BenchmarkError.payloadRefused = error else { return XCTFail("\(error)") }
            }
        }
    }
}

/// Accepts anything: leaves the judging to the streaming check.
struct PermissiveValidator: Collector {
    static let typeName = "test.permissive"
    static let summary = "accepts every payload"
    let datasetGroup = "test_permissive"
    init(configuration: CollectorConfiguration) throws {}
    init() {}
    func candidates(for request: CollectionRequest) throws -> [DownloadCandidate] { [] }
    func validate(_ content: Data, for candidate: DownloadCandidate) -> ValidationResult { .valid(ValidationReport(recordCount: 0)) }
}
