import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// `scraper serve`'s engine: every enabled collector on its cron schedule, each run a snapshot
/// collection through ``CollectionRunner`` over shared backends. Each collector's schedule is a
/// swift-service-lifecycle `Service` (``services``), to be run in one `ServiceGroup` with the
/// ops endpoint: on graceful shutdown a waiting collector stops at once and a running one stops
/// taking candidates and finishes those it has claimed.
///
/// ```swift
/// let collectors = configuration.collectors.filter(\.enabled).map(configuration.settings.resolved)
/// let daemon = try CollectionDaemon(runner: runner, collectors: collectors, services: backends,
///                                   state: ScheduleState(path: "data/serve-state.dev.json"), jitterSeconds: 5)
/// let group = ServiceGroup(services: daemon.services + [opsEndpoint], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
/// try await group.run()
/// ```
public final class CollectionDaemon: Sendable {
    /// The schedule of a collector whose entry has none: ``Defaults/schedule``, the spec's every 15 minutes.
    public static var defaultSchedule: String { Defaults.schedule }

    public let runner: CollectionRunner
    public let scheduler: CollectorScheduler
    private let summaries = LastSummaries()

    /// Checks every collector (type known, parameters accepted, schedule valid and firing) before anything
    /// starts; throws ``ConfigError`` naming the collector otherwise. `onRunFinished` is called after
    /// each run with the collector's name and summary (e.g. to write the metrics file).
    public init(runner: CollectionRunner, collectors: [ResolvedCollector], services: PipelineServices,
                state: ScheduleState, jitterSeconds: Double = 0, clock: any ScheduleClock = SystemScheduleClock(),
                onRunFinished: (@Sendable (_ collector: String, _ summary: RunSummary) -> Void)? = nil) throws {
        self.runner = runner
        let summaries = self.summaries
        var jobs: [ScheduledJob] = []
        for entry in collectors {
            let text = entry.effectiveSchedule
            let schedule: CronExpression
            do { schedule = try entry.cronSchedule() } catch {
                throw ConfigError("collectors.\(entry.name).schedule: \(error)")
            }
            guard schedule.next(after: clock.now()) != nil else {
                throw ConfigError("collectors.\(entry.name).schedule \(text.debugDescription) never fires; pick a date that exists")
            }
            if entry.schedule == nil {
                runner.logger.info("collector \(entry.name) has no schedule in the configuration: using \(text)")
            }
            _ = try runner.prepare(entry, request: CollectionRequest(mode: .snapshot))
            jobs.append(ScheduledJob(name: entry.name, schedule: schedule) { [runner, summaries] in
                let summary: RunSummary
                do {
                    let prepared = try runner.prepare(entry, request: CollectionRequest(mode: .snapshot, collectionTime: Date()))
                    summary = await runner.run([prepared], services: services)[0]
                } catch {
                    summary = RunSummary.generationFailure(collector: entry.name, error: "\(error)")
                }
                var log = runner.logger
                log[metadataKey: "collector"] = "\(entry.name)"
                log.info("run summary: \(summary.json())")
                summaries.set(entry.name, summary)
                onRunFinished?(entry.name, summary)
                return summary.succeeded
            })
        }
        scheduler = CollectorScheduler(jobs: jobs, state: state, jitterSeconds: jitterSeconds, clock: clock,
                                       slots: (services.registry as? any ScheduleSlotLease) ?? SoleReplicaSlots(),
                                       logger: runner.logger, environment: services.registry.environment)
    }

    /// One `Service` per collector schedule (in entry order). Call once per run of the group.
    public var services: [any Service] {
        scheduler.announceStart()
        return scheduler.jobs.map { ScheduleService(scheduler: scheduler, job: $0) }
    }

    /// The last run summary of each collector that has run.
    public var lastSummaries: [String: RunSummary] { summaries.all }

    /// The default state file: beside the embedded registry (or in ``Defaults/dataDirectory`` with
    /// Redis), one per environment.
    public static func defaultStatePath(registry: RegistryBackend, environment: String) -> String {
        let folder: String
        switch registry {
        case .embedded(let path):
            let parent = (path as NSString).deletingLastPathComponent
            folder = parent.isEmpty ? "." : parent
        case .redis:
            folder = Defaults.dataDirectory
        }
        return folder + "/serve-state.\(environment).json"
    }
}

/// One collector's schedule as a `Service`: its loop runs until graceful shutdown (or
/// cancellation) and then returns once the run in progress, if any, has stopped.
struct ScheduleService: Service {
    let scheduler: CollectorScheduler
    let job: ScheduledJob

    func run() async throws {
        await cancelWhenGracefulShutdown { [scheduler, job] in
            await scheduler.runLoop(job)
        }
    }
}

/// The last summary of each collector, written by the schedule loops.
final class LastSummaries: Sendable {
    private let values = Mutex<[String: RunSummary]>([:])

    func set(_ name: String, _ summary: RunSummary) { values.withLock { $0[name] = summary } }
    var all: [String: RunSummary] { values.withLock { $0 } }
}
