import CollectionFramework
import Foundation
import Logging
import TestSupport
import XCTest

/// Collectors defined only in this test target, registered in a ``CollectorCatalog`` and run through
/// ``CollectionRunner`` (prepare + run) over a ``LocalObjectStore`` and a ``SQLiteHashRegistry``.
/// This target does not depend on `Collectors`: the framework needs nothing from `Sources/Collectors`.
final class TestOnlyCollectorRunnerTests: XCTestCase {
    var root: URL!
    var services: PipelineServices!
    var store: LocalObjectStore!

    override func setUpWithError() throws {
        root = TestPaths.temporaryDirectory("test-only-collector")
        store = LocalObjectStore(root: root)
        services = PipelineServices(store: store, registry: try SQLiteHashRegistry(path: root.appendingPathComponent("registry.sqlite3").path,
                                                                                  environment: "dev"))
    }

    override func tearDown() {
        if let root { try? FileManager.default.removeItem(at: root) }
    }

    private func runner(_ types: [any Collector.Type]) -> CollectionRunner {
        CollectionRunner(logger: Logger(label: "test-only-runner"), catalog: CollectorCatalog(types))
    }

    func testTheCatalogHoldsOnlyWhatTheTestRegistered() async throws {
        let runner = runner([HubCountCollector.self, InMemoryFeedCollector.self])
        XCTAssertEqual(runner.catalog.typeNames, ["test.hub_count", "test.in_memory"])
        XCTAssertThrowsError(try runner.prepare(ResolvedCollector(name: "cts", type: "miso.cts"), request: CollectionRequest())) { error in
            XCTAssertTrue("\(error)".contains("unknown type miso.cts"), "\(error)")
            XCTAssertTrue("\(error)".contains("known: test.hub_count, test.in_memory"), "\(error)")
        }
    }

    func testASimulatorBackedTestCollectorIsFetchedStoredRegisteredThenSkipped() async throws {
        let sim = try MisoSimulatorProcess(arguments: ["--today", "2026-07-27"])
        defer { sim.stop() }
        let runner = runner([HubCountCollector.self])
        let entry = ResolvedCollector(name: "hubs", type: HubCountCollector.typeName, apiURL: sim.url(MisoSimulatorProcess.exAntePath))
        // 2026-07-27T13:15:00Z = 08:15 EST.
        let request = CollectionRequest(collectionTime: Date(timeIntervalSince1970: 1_785_158_100))

        let prepared = try runner.prepare(entry, request: request)
        XCTAssertEqual(prepared.candidates.map(\.identifier), ["hubs_snapshot_20260727_0815.json"])
        let first = await runner.run([prepared], services: services)
        XCTAssertEqual(first.count, 1)
        XCTAssertEqual([first[0].totalCandidates, first[0].collected, first[0].failed], [1, 1, 0], "\(first[0].errors)")
        let key = "sourcing/test_hub_count/year=2026/month=07/day=27/hubs_snapshot_20260727_0815.json.gz"
        XCTAssertEqual(first[0].storedKeys, [key])
        let served = try sim.get(MisoSimulatorProcess.exAntePath).body
        let storedBody = try await store.get(key: key)
        XCTAssertEqual(try Gzip.decompress(try XCTUnwrap(storedBody)), served, "stored bytes are exactly what the server sent")
        let found = try await services.registry.get(sha256: ContentHash.sha256Hex(served), datasetGroup: "test_hub_count")
        let record = try XCTUnwrap(found)
        XCTAssertEqual(record.metadata["hubs"], .int(9), "metadata from the test collector reaches the registry")

        let second = await runner.run([try runner.prepare(entry, request: request)], services: services)
        XCTAssertEqual([second[0].collected, second[0].skippedDuplicate], [0, 1])
        XCTAssertEqual(try sim.stats().byPath[MisoSimulatorProcess.exAntePath], 3, "two runs plus the comparison fetch")

        try sim.setFault("exante-no-hubs", count: 1)
        let rejected = await runner.run([try runner.prepare(entry, request: request)], services: services)
        XCTAssertEqual(rejected[0].failed, 1)
        XCTAssertTrue(rejected[0].errors.first?.error.contains("[hubs_present]") == true, "\(rejected[0].errors)")
    }

    func testCollectorsRunTogetherAndOneFailureDoesNotStopTheOthers() async throws {
        let runner = runner([InMemoryFeedCollector.self])
        let good = ResolvedCollector(name: "good", type: InMemoryFeedCollector.typeName, parameters: ["payload": #"{"ok": true}"#])
        let bad = ResolvedCollector(name: "bad", type: InMemoryFeedCollector.typeName, parameters: ["payload": #"{"ok": false}"#])
        let alsoGood = ResolvedCollector(name: "also-good", type: InMemoryFeedCollector.typeName, parameters: ["payload": #"{"ok": true, "n": 2}"#])
        let prepared = try [good, bad, alsoGood].map { try runner.prepare($0, request: CollectionRequest()) }
        let summaries = await runner.run(prepared, services: services)
        XCTAssertEqual(summaries.map(\.collector), ["good", "bad", "also-good"])
        XCTAssertEqual(summaries.map(\.collected), [1, 0, 1])
        XCTAssertEqual(summaries.map(\.failed), [0, 1, 0])
        XCTAssertTrue(summaries[1].errors.first?.error.contains("[ok_flag]") == true, "\(summaries[1].errors)")
        XCTAssertEqual(store.keys(under: "sourcing/test_in_memory").count, 2)

        let combined = try XCTUnwrap(try JSONValue.parse(Data(CollectionRunner.combinedJSON(summaries).utf8)))
        guard case .object(let object) = combined, case .array(let perCollector)? = object["collectors"] else {
            return XCTFail("no per-collector summary in \(combined)")
        }
        XCTAssertEqual(perCollector.count, 3)
        XCTAssertEqual(object["failed"], .int(1))
        XCTAssertEqual(object["collected"], .int(2))
    }

    func testPrepareRefusesBadConfigurationBeforeAnyBackendIsTouched() async throws {
        let runner = runner([HubCountCollector.self, InMemoryFeedCollector.self])
        XCTAssertThrowsError(try runner.prepare(ResolvedCollector(name: "hubs", type: HubCountCollector.typeName), request: CollectionRequest())) { error in
            XCTAssertTrue("\(error)".contains("collector hubs: test.hub_count needs api_url"), "\(error)")
        }
        let entry = ResolvedCollector(name: "mem", type: InMemoryFeedCollector.typeName, parameters: ["payload": "{}"])
        let day = CollectionRequest(mode: .day(CalendarDate(year: 2026, month: 7, day: 27)!))
        XCTAssertThrowsError(try runner.prepare(entry, request: day)) { error in
            XCTAssertTrue("\(error)".contains("test.in_memory is a snapshot-only feed"), "\(error)")
        }
    }
}

/// Fetches the simulator's ex-ante feed through the runner's shared HTTP client and accepts it when
/// it lists at least one hub. Uses only the framework: ``SnapshotStamp``, ``JSONParser``, the default `collect`.
private struct HubCountCollector: Collector {
    static let typeName = "test.hub_count"
    static let summary = "counts hubs in the simulator's ex-ante feed"
    let datasetGroup = "test_hub_count"
    let endpoint: String

    init(configuration: CollectorConfiguration) throws {
        guard configuration.apiURL != nil else { throw CollectorError.invalidArgument("test.hub_count needs api_url") }
        endpoint = try configuration.endpoint(default: "")
    }

    func candidates(for request: CollectionRequest) throws -> [DownloadCandidate] {
        try request.requireSnapshot(collector: Self.typeName)
        let stamp = SnapshotStamp(request.collectionTime, in: TimeZone(secondsFromGMT: -5 * 3600)!)
        return [DownloadCandidate(identifier: stamp.identifier(prefix: "hubs"), sourceURL: endpoint, partitionDate: stamp.day,
                                  metadata: ["hubs": .int(9)])]
    }

    func validate(_ content: Data, for candidate: DownloadCandidate) -> ValidationResult {
        guard let root = try? JSONParser.parse(content), let hubs = root["LMPData"]?["ExAnteLMP"]?["Hub"]?.array else {
            return .invalid(ValidationFailure(rule: "structure", reason: "no LMPData.ExAnteLMP.Hub array"))
        }
        return hubs.isEmpty ? .invalid(ValidationFailure(rule: "hubs_present", reason: "no hubs")) : .valid(ValidationReport(recordCount: hubs.count))
    }
}

/// No network at all: the payload comes from the configuration's `payload` parameter.
private struct InMemoryFeedCollector: Collector {
    static let typeName = "test.in_memory"
    static let summary = "serves its configured payload"
    static let parameters = [CollectorParameter("payload", .string(maxLength: 10_000), help: "the bytes every run collects")]
    let datasetGroup = "test_in_memory"
    let name: String
    let payload: Data

    init(configuration: CollectorConfiguration) throws {
        name = configuration.name
        payload = Data((configuration.parameters["payload"] ?? "").utf8)
    }

    func candidates(for request: CollectionRequest) throws -> [DownloadCandidate] {
        try request.requireSnapshot(collector: Self.typeName)
        return [DownloadCandidate(identifier: "\(name).json", sourceURL: "memory://\(name)", partitionDate: CalendarDate(year: 2026, month: 7, day: 27)!)]
    }

    func collect(_ candidate: DownloadCandidate, using http: any HTTPClient) async throws -> ContentStream { ContentStream(payload) }

    func validate(_ content: Data, for candidate: DownloadCandidate) -> ValidationResult {
        String(decoding: content, as: UTF8.self).contains("\"ok\": true")
            ? .valid(ValidationReport(recordCount: 1))
            : .invalid(ValidationFailure(rule: "ok_flag", reason: "payload lacks \"ok\": true"))
    }
}
