import Foundation
import Metrics

/// The figures the spec's Monitoring section asks for, labelled by collector and environment.
/// Backed by whatever swift-metrics backend the process bootstrapped (Prometheus in the runner,
/// nothing in library use).
public struct PipelineMetrics: Sendable {
    public let collector: String
    public let environment: String

    public init(collector: String, environment: String) {
        self.collector = collector
        self.environment = environment
    }

    private var labels: [(String, String)] { [("collector", collector), ("environment", environment)] }

    /// One candidate finished with `outcome` (`collected`, `skipped_duplicate`, `failed`).
    public func candidate(_ outcome: String) {
        Counter(label: "scraper_candidates_total", dimensions: labels + [("outcome", outcome)]).increment()
    }

    public func validationFailure(rule: String) {
        Counter(label: "scraper_validation_failures_total", dimensions: labels + [("rule", rule)]).increment()
    }

    /// One stored payload broke `rule`, a rule of `warning` severity (see ``RuleSeverity``).
    public func validationWarning(rule: String) {
        Counter(label: "scraper_validation_warnings_total", dimensions: labels + [("rule", rule)]).increment()
    }

    /// The API's own time for one download (request to last byte), without rate-limit waits and retry
    /// backoff, which ``httpWait(reason:seconds:)`` records.
    public func apiResponse(seconds: Double) {
        Timer(label: "scraper_api_response_seconds", dimensions: labels).recordNanoseconds(Int64(max(0, seconds) * 1e9))
    }

    /// Time spent waiting before or between requests: `reason` is `rate_limit` or `retry_backoff`.
    public func httpWait(reason: String, seconds: Double) {
        Timer(label: "scraper_http_wait_seconds", dimensions: labels + [("reason", reason)]).recordNanoseconds(Int64(max(0, seconds) * 1e9))
    }

    public func storeUpload(seconds: Double) {
        Timer(label: "scraper_store_upload_seconds", dimensions: labels).recordNanoseconds(Int64(seconds * 1e9))
    }

    public func bytesFetched(_ count: Int) {
        Counter(label: "scraper_bytes_fetched_total", dimensions: labels).increment(by: count)
    }

    public func bytesStored(_ count: Int) {
        Counter(label: "scraper_bytes_stored_total", dimensions: labels).increment(by: count)
    }

    /// Records in one valid payload (the spec's "data volume").
    public func recordsPerSnapshot(_ count: Int) {
        Recorder(label: "scraper_records_per_snapshot", dimensions: labels, aggregate: true).record(count)
    }

    /// Counts one valid payload under each of its report's labels (see ``ValidationReport/labels``).
    public func snapshot(labels reported: [String: String]) {
        for (name, value) in reported.sorted(by: { $0.key < $1.key }) where Self.isMetricName(name) {
            Counter(label: "scraper_snapshots_by_\(name)_total", dimensions: labels + [(name, value)]).increment()
        }
    }

    static func isMetricName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { (0x61...0x7a).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5f }
    }

    public func retry() {
        Counter(label: "scraper_http_retries_total", dimensions: labels).increment()
    }

    public func notificationFailure() {
        Counter(label: "scraper_notification_failures_total", dimensions: labels).increment()
    }

    /// Unix time of the last candidate stored or confirmed already stored.
    public func lastSuccess(_ date: Date = Date()) {
        Gauge(label: "scraper_last_success_timestamp_seconds", dimensions: labels).record(date.timeIntervalSince1970)
    }
}
