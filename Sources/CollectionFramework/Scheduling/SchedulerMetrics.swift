import Foundation
import Metrics

/// The daemon's own figures, next to ``PipelineMetrics``: runs started by the schedule or as a
/// catch-up after downtime, whether a run is in progress, when the next one is due and how long the
/// last one took. Labelled by collector and environment.
public struct SchedulerMetrics: Sendable {
    public let environment: String

    public init(environment: String) {
        self.environment = environment
    }

    /// How many collectors the daemon schedules (0 is worth an alert of its own).
    public func scheduledCollectors(_ count: Int) {
        Gauge(label: "scraper_daemon_scheduled_collectors", dimensions: [("environment", environment)]).record(count)
    }

    /// Unix time the daemon started.
    public func started(_ date: Date = Date()) {
        Gauge(label: "scraper_daemon_start_timestamp_seconds", dimensions: [("environment", environment)]).record(date.timeIntervalSince1970)
    }

    /// A scheduled run finished; `trigger` is `schedule` or `catch_up`, `result` `success` or `failure`.
    public func runFinished(collector: String, trigger: String, result: String, seconds: Double) {
        Counter(label: "scraper_scheduled_runs_total",
                dimensions: [("collector", collector), ("environment", environment), ("trigger", trigger), ("result", result)]).increment()
        Gauge(label: "scraper_last_run_duration_seconds", dimensions: [("collector", collector), ("environment", environment)]).record(seconds)
    }

    /// A slot of `collector` was run by another `serve` replica (they share a Redis registry).
    public func slotTakenElsewhere(collector: String) {
        Counter(label: "scraper_scheduled_slots_taken_elsewhere_total",
                dimensions: [("collector", collector), ("environment", environment)]).increment()
    }

    /// 1 while a run of `collector` is in progress, else 0.
    public func inProgress(collector: String, _ running: Bool) {
        Gauge(label: "scraper_run_in_progress", dimensions: [("collector", collector), ("environment", environment)]).record(running ? 1 : 0)
    }

    /// Unix time the next run of `collector` is due.
    public func nextRun(collector: String, at date: Date) {
        Gauge(label: "scraper_next_run_timestamp_seconds", dimensions: [("collector", collector), ("environment", environment)]).record(date.timeIntervalSince1970)
    }
}
