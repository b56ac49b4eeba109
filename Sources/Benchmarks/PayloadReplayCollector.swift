import Foundation

/// A collector that answers every candidate with one payload held in memory and judges it with
/// another collector's validator: the pipeline's real stages without any network.
///
/// Built directly (``init(payload:validator:)``); the configuration initialiser the ``Collector``
/// protocol asks for refuses, because there is nothing to configure.
public struct PayloadReplayCollector: Collector {
    public static let typeName = "benchmark.replay"
    public static let summary = "Benchmark only: serves one in-memory payload, validated by another collector"

    public let payload: Data
    public let validator: any Collector
    public var datasetGroup: String { validator.datasetGroup }

    public init(payload: Data, validator: any Collector) {
        self.payload = payload
        self.validator = validator
    }

    public init(configuration: CollectorConfiguration) throws {
        throw CollectorError.invalidArgument("\(Self.typeName) is built by the benchmark with a payload; it cannot be configured in collectors.yaml")
    }

    /// One candidate, `benchmark.json`, for the benchmark's operating day.
    public func candidates(for request: CollectionRequest) throws -> [DownloadCandidate] {
        [Self.candidate(identifier: "benchmark")]
    }

    public func collect(_ candidate: DownloadCandidate, using http: any HTTPClient) throws -> Data {
        payload
    }

    public func validate(_ content: Data, for candidate: DownloadCandidate) -> ValidationResult {
        validator.validate(content, for: candidate)
    }

    /// A candidate for the benchmark's operating day, under `identifier` (unique per repetition so
    /// every store is a fresh write).
    public static func candidate(identifier: String, day: String = BenchmarkPayload.defaultDay) -> DownloadCandidate {
        DownloadCandidate(identifier: identifier + ".json", sourceURL: "http://127.0.0.1:9/benchmark",
                          queryParameters: [QueryParameter("date", day)],
                          partitionDate: CalendarDate(iso: day) ?? CalendarDate(year: 2025, month: 1, day: 20)!)
    }
}
