import CollectionFramework
import Foundation

/// A collector that answers every candidate with one payload held in memory and judges it with
/// another collector's validator: the pipeline's real stages without any network.
///
/// Built directly (``init(payload:validator:)``); the configuration initialiser the ``Collector``
/// protocol asks for refuses, because there is nothing to configure.
package struct PayloadReplayCollector: Collector {
    package static let typeName = "benchmark.replay"
    package static let summary = "Benchmark only: serves one in-memory payload, validated by another collector"

    package let payload: Data
    package let validator: any Collector
    package var datasetGroup: String { validator.datasetGroup }

    package init(payload: Data, validator: any Collector) {
        self.payload = payload
        self.validator = validator
    }

    package init(configuration: CollectorConfiguration) throws {
        throw CollectorError.invalidArgument("\(Self.typeName) is built by the benchmark with a payload; it cannot be configured in collectors.yaml")
    }

    /// One candidate, `benchmark.json`, for the benchmark's operating day.
    package func candidates(for request: CollectionRequest) throws -> [DownloadCandidate] {
        [Self.candidate(identifier: "benchmark")]
    }

    /// The payload, already in memory: the pipeline takes it without copying.
    package func collect(_ candidate: DownloadCandidate, using http: any HTTPClient) async throws -> ContentStream {
        ContentStream(payload)
    }

    package func validate(_ content: Data, for candidate: DownloadCandidate) -> ValidationResult {
        validator.validate(content, for: candidate)
    }

    /// A candidate for the benchmark's operating day, under `identifier` (unique per repetition so
    /// every store is a fresh write), fetched from `sourceURL` by a collector that downloads.
    package static func candidate(identifier: String, day: String = BenchmarkPayload.defaultDay,
                                  sourceURL: String = "http://127.0.0.1:9/benchmark", timeout: Double = 30) -> DownloadCandidate {
        DownloadCandidate(identifier: identifier + ".json", sourceURL: sourceURL,
                          queryParameters: [QueryParameter("date", day)], timeout: timeout,
                          partitionDate: CalendarDate(iso: day) ?? CalendarDate(year: 2025, month: 1, day: 20)!,
                          // The CTS operating-day rule reads the requested day from here, as in a real run.
                          context: CandidateContext(requestedDate: CalendarDate(iso: day)))
    }
}
