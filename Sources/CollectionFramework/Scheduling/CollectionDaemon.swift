import Foundation
import Logging

/// `scraper serve`'s engine: every enabled collector on its cron schedule, each run a snapshot
/// collection through ``CollectionRunner`` over shared backends. The runner's ``CollectionRunner/cancellation``
/// stops it: waiting collectors stop at once, running ones finish their current candidates.
///
/// ```swift
/// let runner = CollectionRunner(logger: logger, catalog: catalog)
/// let daemon = try CollectionDaemon(runner: runner, entries: configuration.collectors.filter(\.enabled),
///                                   services: services, settings: configuration.settings,
///                                   state: ScheduleState(path: "data/serve-state.dev.json"), jitterSeconds: 5)
/// daemon.start()
/// daemon.wait()          // returns after runner.cancellation.cancel()
/// ```
public final class CollectionDaemon: @unchecked Sendable {
    /// The schedule of a collector whose entry has none: the spec's every 15 minutes.
    public static let defaultSchedule = "*/15 * * * *"

    public let runner: CollectionRunner
    public let scheduler: CollectorScheduler
    /// Called after each run with the collector's name and summary (e.g. to write the metrics file).
    public var onRunFinished: (@Sendable (_ collector: String, _ summary: RunSummary) -> Void)? {
        get { summaryBox.onSet }
        set { summaryBox.onSet = newValue }
    }

    /// Checks every entry (type known, parameters accepted, schedule valid and firing) before anything
    /// starts; throws ``ConfigError`` naming the collector otherwise.
    public init(runner: CollectionRunner, entries: [CollectorEntry], services: PipelineServices, settings: SettingsLayer,
                state: ScheduleState, jitterSeconds: Double = 0, clock: any ScheduleClock = SystemScheduleClock(),
                timeZone: TimeZone = .current) throws {
        self.runner = runner
        var jobs: [ScheduledJob] = []
        let slots = SummaryBox()
        for entry in entries {
            let text = entry.schedule ?? CollectionDaemon.defaultSchedule
            let schedule: CronExpression
            do { schedule = try CronExpression(text, timeZone: timeZone) } catch {
                throw ConfigError("collectors.\(entry.name).schedule: \(error)")
            }
            guard schedule.next(after: clock.now()) != nil else {
                throw ConfigError("collectors.\(entry.name).schedule \(text.debugDescription) never fires; pick a date that exists")
            }
            if entry.schedule == nil {
                runner.logger.info("collector \(entry.name) has no schedule in the configuration: using \(text)")
            }
            _ = try runner.prepare(entry, request: CollectionRequest(mode: .snapshot))
            jobs.append(ScheduledJob(name: entry.name, schedule: schedule) { [runner] in
                let summary: RunSummary
                do {
                    let prepared = try runner.prepare(entry, request: CollectionRequest(mode: .snapshot, collectionTime: Date()))
                    summary = runner.run([prepared], services: services, settings: settings)[0]
                } catch {
                    summary = RunSummary.generationFailure(collector: entry.name, error: "\(error)")
                }
                var log = runner.logger
                log[metadataKey: "collector"] = "\(entry.name)"
                log.info("run summary: \(summary.json())")
                slots.set(entry.name, summary)
                return summary.succeeded
            })
        }
        scheduler = CollectorScheduler(jobs: jobs, state: state, jitterSeconds: jitterSeconds, clock: clock,
                                       cancellation: runner.cancellation, logger: runner.logger, environment: services.registry.environment)
        summaryBox = slots
    }

    private let summaryBox: SummaryBox

    /// Starts every collector's schedule.
    public func start() { scheduler.start() }

    /// Blocks until ``CollectionRunner/cancellation`` is cancelled and every running collector has
    /// finished its current candidates (with no collectors, until cancelled).
    public func wait() {
        while !runner.cancellation.isCancelled { CancellationFlag.sleep(3600, unless: runner.cancellation) }
        scheduler.wait()
    }

    /// The last run summary of each collector that has run.
    public var lastSummaries: [String: RunSummary] { summaryBox.all }

    /// The default state file: beside the embedded registry (or in `./data` with Redis), one per environment.
    public static func defaultStatePath(registry: RegistrySettings, environment: String) -> String {
        let registryPath = registry.type == "redis" ? nil : registry.path
        let folder = registryPath.map { path -> String in
            let parent = (path as NSString).deletingLastPathComponent
            return parent.isEmpty ? "." : parent
        } ?? "./data"
        return folder + "/serve-state.\(environment).json"
    }
}

/// Last summaries written by job threads.
private final class SummaryBox: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String: RunSummary] = [:]
    private var callback: (@Sendable (String, RunSummary) -> Void)?
    var onSet: (@Sendable (String, RunSummary) -> Void)? {
        get { lock.lock(); defer { lock.unlock() }; return callback }
        set { lock.lock(); callback = newValue; lock.unlock() }
    }
    func set(_ name: String, _ summary: RunSummary) {
        lock.lock()
        values[name] = summary
        let callback = self.callback
        lock.unlock()
        callback?(name, summary)
    }
    var all: [String: RunSummary] { lock.lock(); defer { lock.unlock() }; return values }
}
