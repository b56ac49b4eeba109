import CollectionFramework
import Foundation
import Logging

/// Measures the pipeline's per-byte cost on one payload, side by side with its baselines, in one
/// process: zlib's gzip alone (the floor), SHA-256 alone and a full JSON parse alone, then each
/// stage on its own, then the whole middle of the pipeline (validate + SHA-256 + gzip + local
/// store, through ``CollectionPipeline/process(_:)`` with a real local store and SQLite registry).
///
/// ```swift
/// let payload = BenchmarkPayload.documentedCTS(nodes: 300)
/// let bench = PipelineBenchmark(payload: payload, validator: try MisoCTSCollector(configuration: .init(name: "miso-cts")))
/// let rows = try await bench.run()
/// print(BenchmarkTable.markdown(rows))
/// ```
package struct PipelineBenchmark {
    package var payload: Data
    /// Whose `validate` judges the payload (e.g. the CTS collector).
    package var validator: any Collector
    package var gzipLevel: Int
    /// Each figure is the best of this many runs.
    package var repetitions: Int
    /// Largest accepted pipeline time over zlib-alone time.
    package static let pipelineRatioLimit = 1.5

    package init(payload: Data, validator: any Collector, gzipLevel: Int = Gzip.defaultLevel, repetitions: Int = 3) {
        self.payload = payload
        self.validator = validator
        self.gzipLevel = gzipLevel
        self.repetitions = max(1, repetitions)
    }

    /// Runs every measurement and returns the rows in table order. Throws if the payload is refused
    /// or a stage fails (a benchmark of a failing pipeline would measure the wrong thing).
    ///
    /// The CPU-only stages are timed synchronously; the store and the pipeline, which await, with
    /// ``StageClock/bestAwaiting(of:_:)``.
    package func run() async throws -> [BenchmarkRow] {
        let size = payload.count
        let candidate = PayloadReplayCollector.candidate(identifier: "check")
        if case .invalid(let failure) = validator.validate(payload, for: candidate) {
            throw BenchmarkError.payloadRefused(failure.description)
        }
        let level = gzipLevel
        var compressed = Data()
        let zlib = try StageClock.best(of: repetitions) { _ in compressed = try Gzip.compressOneShot(payload, level: level) }
        let sha = StageClock.best(of: repetitions) { _ in _ = ContentHash.sha256Hex(payload) }
        let parse = try StageClock.best(of: repetitions) { _ in _ = try JSONParser.parse(payload) }
        let validate = StageClock.best(of: repetitions) { _ in _ = validator.validate(payload, for: candidate) }
        let pipelineGzip = try StageClock.best(of: repetitions) { _ in _ = try Gzip.compress(payload, level: level) }

        let workspace = try BenchmarkWorkspace()
        defer { workspace.remove() }
        let store = LocalObjectStore(root: workspace.url.appendingPathComponent("store"))
        let body = compressed
        let storeTime = try await StageClock.bestAwaiting(of: repetitions) { repetition in
            _ = try await store.put(ObjectPutRequest(key: "stage/store-\(repetition).json.gz", body: body,
                                                     contentSHA256: ContentHash.sha256Hex(Data()), contentType: "application/gzip"))
        }
        let pipeline = try makePipeline(in: workspace)
        var outcome = CandidateOutcome.notAttempted
        let whole = await StageClock.bestAwaiting(of: repetitions) { repetition in
            outcome = await pipeline.process(PayloadReplayCollector.candidate(identifier: "pipeline-\(repetition)"))
        }
        guard case .collected = outcome else { throw BenchmarkError.pipelineFailed("\(outcome)") }

        func row(_ group: String, _ name: String, _ seconds: Double, limit: Double? = nil) -> BenchmarkRow {
            BenchmarkRow(group: group, name: name, bytes: size, seconds: seconds,
                         ratio: seconds / zlib, ratioReference: "zlib", ratioLimit: limit)
        }
        let sequential = validate + sha + pipelineGzip + storeTime
        return [
            row("baseline", "zlib gzip level \(level) alone", zlib),
            row("baseline", "SHA-256 alone", sha),
            row("baseline", "JSON parse alone (full tree)", parse),
            row("stage", "validate (CTS rules)", validate),
            row("stage", "SHA-256", sha),
            row("stage", "gzip level \(level) (pipeline's compressor)", pipelineGzip),
            BenchmarkRow(group: "stage", name: "local store (write + fsync \(compressed.count / 1000) kB gzip)", bytes: size, seconds: storeTime,
                         ratio: storeTime / zlib, ratioReference: "zlib"),
            row("stage", "sum of the stages run one after another", sequential),
            row("pipeline", "validate + SHA-256 + gzip + store (CollectionPipeline)", whole, limit: Self.pipelineRatioLimit),
        ]
    }

    /// Stage names ``runOnce(stage:)`` accepts.
    package static let stageNames = ["zlib", "sha256", "parse", "validate", "gzip", "pipeline"]

    /// Runs one stage once and nothing else: for profilers (`valgrind --tool=callgrind scraper bench --only validate`).
    package func runOnce(stage: String) async throws {
        let candidate = PayloadReplayCollector.candidate(identifier: "once")
        switch stage {
        case "zlib": _ = try Gzip.compressOneShot(payload, level: gzipLevel)
        case "sha256": _ = ContentHash.sha256Hex(payload)
        case "parse": _ = try JSONParser.parse(payload)
        case "validate": _ = validator.validate(payload, for: candidate)
        case "gzip": _ = try Gzip.compress(payload, level: gzipLevel)
        case "pipeline": try await processOnce()
        default: throw BenchmarkError.toolMissing("unknown stage \(stage); use one of \(Self.stageNames.joined(separator: ", "))")
        }
    }

    /// Takes the payload through the pipeline once (validate, hash, dedup, gzip, store, register)
    /// in a temporary workspace: what the memory probe measures.
    package func processOnce() async throws {
        let workspace = try BenchmarkWorkspace()
        defer { workspace.remove() }
        let outcome = try await makePipeline(in: workspace).process(PayloadReplayCollector.candidate(identifier: "once"))
        guard case .collected = outcome else { throw BenchmarkError.pipelineFailed("\(outcome)") }
    }

    /// A pipeline over a local store and SQLite registry in `workspace`, forced (so every
    /// repetition stores) and silent.
    func makePipeline(in workspace: BenchmarkWorkspace) throws -> CollectionPipeline {
        try Self.makePipeline(collector: PayloadReplayCollector(payload: payload, validator: validator), http: CurlHTTPClient(),
                              gzipLevel: gzipLevel, in: workspace.url.appendingPathComponent("pipeline"))
    }

    /// A pipeline for `collector` over a real local store and SQLite registry in `directory`, forced
    /// (so every repetition stores) and silent.
    static func makePipeline(collector: any Collector, http: any HTTPClient, gzipLevel: Int, in directory: URL) throws -> CollectionPipeline {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let registry = try SQLiteHashRegistry(path: directory.appendingPathComponent("registry.sqlite3").path, environment: "dev")
        let services = PipelineServices(store: LocalObjectStore(root: directory.appendingPathComponent("store")), registry: registry)
        let logger = Logger(label: "benchmark", factory: { _ in SwiftLogNoOpLogHandler() })
        return CollectionPipeline(name: "benchmark", collector: collector, services: services, http: http,
                                  options: PipelineOptions(force: true, concurrency: 1, gzipLevel: gzipLevel), logger: logger)
    }
}

/// A temporary directory for one benchmark, removed afterwards.
package struct BenchmarkWorkspace: Sendable {
    package let url: URL

    package init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("scraper-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    package func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}

/// Why a benchmark could not produce its figures.
package enum BenchmarkError: Error, CustomStringConvertible, Equatable {
    case payloadRefused(String)
    case pipelineFailed(String)
    case toolMissing(String)
    case childFailed(String)
    case resultsDiffer(String)
    case downloadFailed(String)

    package var description: String {
        switch self {
        case .payloadRefused(let m):
            return "the benchmark payload was refused by the validator (the generator and the rules disagree): \(m)"
        case .pipelineFailed(let m): return "the pipeline did not store the benchmark payload: \(m)"
        case .toolMissing(let m): return m
        case .childFailed(let m): return "a benchmark child process failed: \(m)"
        case .resultsDiffer(let m): return "concurrent and serial backfills stored different results: \(m)"
        case .downloadFailed(let m): return "the streaming benchmark's download failed: \(m)"
        }
    }
}
