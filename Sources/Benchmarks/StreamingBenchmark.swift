import CollectionFramework
import Foundation
import LoopbackHTTP

/// Measures how much of the pipeline's work hides behind a download: one payload served over a
/// throttled loopback link (``ThrottledPayloadServer``), fetched side by side in one run
///
/// - (a) by ``CurlHTTPClient`` alone, the body read and discarded: the floor;
/// - (b) through ``CollectionPipeline/process(_:)`` with the default `collect` (the body streams
///   in) and a streaming validator (``JSONShapeCheck``), storing into a real local store and SQLite
///   registry: SHA-256, gzip and the check run while the bytes arrive, so (b) should take at most
///   the download time plus 10 %;
/// - (c) the same, but judged by a whole-payload validator (the real CTS rules) after the last
///   byte: informational, its ratio shows what that validation adds.
///
/// The repetitions are interleaved (a, b, c, a, b, c, …) and each figure is the best of them, so
/// the three share the machine's noise.
///
/// ```swift
/// let rows = try await StreamingBenchmark(payload: BenchmarkPayload.documentedCTS(nodes: 325),
///                                         validator: ctsCollector, bytesPerSecond: 50e6).run()
/// ```
package struct StreamingBenchmark {
    package var payload: Data
    /// The whole-payload validator of row (c) (e.g. the CTS collector).
    package var validator: any Collector
    /// What row (c) calls that validator's rules.
    package var validatorLabel: String
    /// The link's rate, bytes per second.
    package var bytesPerSecond: Double
    package var gzipLevel: Int
    /// Each figure is the best of this many runs.
    package var repetitions: Int
    /// Largest accepted pipeline-with-streaming-check time over download-alone time.
    package static let ratioLimit = 1.10
    /// The payload size the issue asks for, in generator nodes (325 nodes x 288 intervals ≈ 25 MB).
    package static let defaultNodes = 325
    package static let defaultMegabytesPerSecond = 50.0

    package init(payload: Data, validator: any Collector, validatorLabel: String = "CTS rules",
                 bytesPerSecond: Double = defaultMegabytesPerSecond * 1e6, gzipLevel: Int = Gzip.defaultLevel, repetitions: Int = 3) {
        self.payload = payload
        self.validator = validator
        self.validatorLabel = validatorLabel
        self.bytesPerSecond = max(1, bytesPerSecond)
        self.gzipLevel = gzipLevel
        self.repetitions = max(1, repetitions)
    }

    /// Runs the three measurements and returns their rows (group `streaming`). Throws if either
    /// validator refuses the payload, the download comes out short, or the pipeline does not store it.
    package func run() async throws -> [BenchmarkRow] {
        if case .invalid(let failure) = validator.validate(payload, for: PayloadReplayCollector.candidate(identifier: "check")) {
            throw BenchmarkError.payloadRefused(failure.description)
        }
        var check = JSONShapeCheck()
        if let failure = check.consume(payload) { throw BenchmarkError.payloadRefused(failure.description) }
        if case .invalid(let failure) = check.finish() { throw BenchmarkError.payloadRefused(failure.description) }

        let server = ThrottledPayloadServer(payload: payload, bytesPerSecond: bytesPerSecond)
        let url = try server.start()
        do {
            let rows = try await measure(url)
            await server.stop()
            return rows
        } catch {
            await server.stop()
            throw error
        }
    }

    /// The three measurements against the server at `url`.
    private func measure(_ url: String) async throws -> [BenchmarkRow] {
        let workspace = try BenchmarkWorkspace()
        defer { workspace.remove() }
        let http = CurlHTTPClient()
        let streamed = try PipelineBenchmark.makePipeline(
            collector: StreamedPayloadCollector(validation: .shapeCheck, datasetGroup: validator.datasetGroup), http: http,
            gzipLevel: gzipLevel, in: workspace.url.appendingPathComponent("streaming-check"))
        let whole = try PipelineBenchmark.makePipeline(
            collector: StreamedPayloadCollector(validation: .whole(validator), datasetGroup: validator.datasetGroup), http: http,
            gzipLevel: gzipLevel, in: workspace.url.appendingPathComponent("whole-validation"))
        // Generous: ten times the link's time, and never under a minute.
        let timeout = max(60, 10 * Double(payload.count) / bytesPerSecond)

        var download = Double.infinity, withCheck = Double.infinity, withRules = Double.infinity
        for repetition in 0..<repetitions {
            func candidate(_ name: String) -> DownloadCandidate {
                PayloadReplayCollector.candidate(identifier: "\(name)-\(repetition)", sourceURL: url, timeout: timeout)
            }
            download = min(download, try await downloadOnce(http, candidate("download")))
            withCheck = min(withCheck, try await Self.time(streamed, candidate("streaming-check")))
            withRules = min(withRules, try await Self.time(whole, candidate("whole-validation")))
        }

        let rate = BenchmarkTable.fixed(bytesPerSecond / 1e6, 0)
        let size = payload.count
        return [
            BenchmarkRow(group: "streaming", name: "download alone over loopback at \(rate) MB/s (CurlHTTPClient, body read and discarded)",
                         bytes: size, seconds: download, ratio: 1, ratioReference: "download"),
            BenchmarkRow(group: "streaming",
                         name: "download + SHA-256 + gzip + streaming check (UTF-8, bracket nesting, record count) + store + register (CollectionPipeline)",
                         bytes: size, seconds: withCheck, ratio: withCheck / download, ratioReference: "download", ratioLimit: Self.ratioLimit),
            BenchmarkRow(group: "streaming",
                         name: "download + SHA-256 + gzip, then \(validatorLabel) on the whole payload after the last byte + store + register (CollectionPipeline)",
                         bytes: size, seconds: withRules, ratio: withRules / download, ratioReference: "download"),
        ]
    }

    /// GETs the payload and reads its body to the end, keeping nothing; returns the seconds taken.
    private func downloadOnce(_ http: CurlHTTPClient, _ candidate: DownloadCandidate) async throws -> Double {
        let start = StageClock.now()
        let response = try await http.fetchStream(candidate)
        var received = 0
        for try await chunk in response.body { received += chunk.count }
        let seconds = StageClock.now() - start
        guard received == payload.count else {
            throw BenchmarkError.downloadFailed("received \(received) of \(payload.count) bytes from \(candidate.url)")
        }
        return seconds
    }

    /// Takes `candidate` through `pipeline` once; returns the seconds taken, or throws unless it was stored.
    private static func time(_ pipeline: CollectionPipeline, _ candidate: DownloadCandidate) async throws -> Double {
        let start = StageClock.now()
        let outcome = await pipeline.process(candidate)
        let seconds = StageClock.now() - start
        guard case .collected = outcome else { throw BenchmarkError.pipelineFailed("\(outcome)") }
        return seconds
    }
}

/// A collector whose `collect` is the protocol's default (GET the candidate's URL and stream the
/// body), validated either as it streams (``JSONShapeCheck``) or whole, by another collector's
/// `validate`, after the last byte.
package struct StreamedPayloadCollector: Collector {
    package static let typeName = "benchmark.streamed"
    package static let summary = "Benchmark only: downloads its candidate and validates it as it streams or whole"

    package enum Validation: Sendable {
        /// ``JSONShapeCheck`` judges the chunks as they arrive.
        case shapeCheck
        /// This collector's `validate` judges the whole payload after the last byte.
        case whole(any Collector)
    }

    package let validation: Validation
    package let datasetGroup: String

    package init(validation: Validation, datasetGroup: String) {
        self.validation = validation
        self.datasetGroup = datasetGroup
    }

    package init(configuration: CollectorConfiguration) throws {
        throw CollectorError.invalidArgument("\(Self.typeName) is built by the benchmark; it cannot be configured in collectors.yaml")
    }

    package func candidates(for request: CollectionRequest) throws -> [DownloadCandidate] { [] }

    package func validate(_ content: Data, for candidate: DownloadCandidate) -> ValidationResult {
        switch validation {
        case .whole(let collector):
            return collector.validate(content, for: candidate)
        case .shapeCheck:
            var check = JSONShapeCheck()
            if let failure = check.consume(content) { return .invalid(failure) }
            return check.finish()
        }
    }

    package func streamingValidator(for candidate: DownloadCandidate) -> (any StreamingValidator)? {
        if case .shapeCheck = validation { return JSONShapeCheck() }
        return nil
    }
}
