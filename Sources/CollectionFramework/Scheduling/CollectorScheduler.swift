import Foundation
import Logging
import Synchronization

/// Something to run on a cron schedule.
public struct ScheduledJob: Sendable {
    /// The collector name (also the key in ``ScheduleState``).
    public var name: String
    public var schedule: CronExpression
    /// Runs once; returns true when the run succeeded. Cancelling the task stops the run early.
    public var run: @Sendable () async -> Bool

    public init(name: String, schedule: CronExpression, run: @escaping @Sendable () async -> Bool) {
        self.name = name
        self.schedule = schedule
        self.run = run
    }
}

/// Runs each job on its schedule, one loop per job (``runLoop(_:)``), so two runs of one job never
/// overlap: a run that outlasts its interval makes the slots it covered pass without a run.
///
/// - Start jitter: each run starts a random 0…`jitterSeconds` after its slot.
/// - Downtime: at start, when the state file shows that a slot passed since the job last finished,
///   the job runs once at once (trigger `catch_up`), however many slots were missed.
/// - Stop: cancel the loop's task; a waiting job stops at once, a running job's pipeline stops
///   taking candidates (see ``CollectionPipeline``), its run is recorded, and the loop returns.
public final class CollectorScheduler: Sendable {
    /// Why a run started.
    public enum Trigger: String, Sendable {
        case schedule
        case catchUp = "catch_up"
    }

    /// What one job is doing, for logs and tests.
    public struct JobStatus: Sendable, Equatable {
        public var name: String
        public var running: Bool
        public var nextRun: Date?
        /// Runs finished (and recorded in the state) so far.
        public var runs: Int
    }

    public let jobs: [ScheduledJob]
    public let state: ScheduleState
    public let jitterSeconds: Double
    public let clock: any ScheduleClock
    /// Which replica runs each slot (``SoleReplicaSlots`` for one process).
    public let slots: any ScheduleSlotLease
    public let metrics: SchedulerMetrics
    private let logger: Logger
    private let statuses: Mutex<[String: JobStatus]>

    public init(jobs: [ScheduledJob], state: ScheduleState, jitterSeconds: Double = 0, clock: any ScheduleClock = SystemScheduleClock(),
                slots: any ScheduleSlotLease = SoleReplicaSlots(), logger: Logger, environment: String) {
        self.jobs = jobs
        self.state = state
        self.jitterSeconds = max(0, jitterSeconds)
        self.clock = clock
        self.slots = slots
        self.logger = logger
        self.metrics = SchedulerMetrics(environment: environment)
        var initial: [String: JobStatus] = [:]
        for job in jobs { initial[job.name] = JobStatus(name: job.name, running: false, nextRun: nil, runs: 0) }
        self.statuses = Mutex(initial)
    }

    /// Reports a state file that could not be read and records the start in the metrics; call once
    /// before the loops start.
    public func announceStart() {
        if let problem = state.loadProblem { logger.warning("\(problem)") }
        metrics.started()
        metrics.scheduledCollectors(jobs.count)
        // Each job's first slot is known now: publish it before the loops start, so a scrape right
        // after start-up already sees every next-run time.
        let now = clock.now()
        for job in jobs {
            guard let due = firstDue(job, now: now).0 else { continue }
            update(job.name) { $0.nextRun = due }
            metrics.nextRun(collector: job.name, at: due)
        }
    }

    /// Runs every job's loop in a task group until the calling task is cancelled.
    public func run() async {
        announceStart()
        await withTaskGroup(of: Void.self) { group in
            for job in jobs { group.addTask { await self.runLoop(job) } }
        }
    }

    /// A snapshot of every job's status, in job order.
    public func status() -> [JobStatus] {
        statuses.withLock { statuses in jobs.compactMap { statuses[$0.name] } }
    }

    /// When `job` should first run: now when a slot passed since its last recorded finish, else its next slot.
    func firstDue(_ job: ScheduledJob, now: Date) -> (Date?, Trigger) {
        if let last = state.entry(for: job.name), let missed = job.schedule.next(after: last.lastFinished), missed <= now {
            return (now, .catchUp)
        }
        return (job.schedule.next(after: now), .schedule)
    }

    private func update(_ name: String, _ change: (inout JobStatus) -> Void) {
        statuses.withLock { statuses in
            if var s = statuses[name] { change(&s); statuses[name] = s }
        }
    }

    /// One job's loop: wait for the slot (plus jitter), run, record, repeat, until the task is cancelled.
    public func runLoop(_ job: ScheduledJob) async {
        var log = logger
        log[metadataKey: "collector"] = "\(job.name)"
        var (due, trigger) = firstDue(job, now: clock.now())
        if trigger == .catchUp, let last = state.entry(for: job.name) {
            log.info("the slot after the last run (finished \(Self.iso(last.lastFinished))) was missed while stopped: running once now")
        }
        while !Task.isCancelled {
            guard let slot = due else {
                log.error("schedule \(job.schedule.text.debugDescription) never fires: nothing to do for this collector")
                return
            }
            update(job.name) { $0.nextRun = slot }
            metrics.nextRun(collector: job.name, at: slot)
            if trigger == .schedule { log.info("next run at \(Self.iso(slot)) (schedule \(job.schedule.text))") }
            do {
                try await clock.sleep(until: slot)
                if jitterSeconds > 0 {
                    try await clock.sleep(until: clock.now().addingTimeInterval(Double.random(in: 0...jitterSeconds)))
                }
            } catch {
                break
            }
            // A catch-up is keyed by the slot it makes up for, so replicas that all missed it run it once.
            let slotKey = trigger == .catchUp ? (state.entry(for: job.name).flatMap { job.schedule.next(after: $0.lastFinished) } ?? slot) : slot
            if !(await ownsSlot(job.name, slotKey, log)) {
                log.info("slot \(Self.iso(slotKey)) is being run by another replica")
                metrics.slotTakenElsewhere(collector: job.name)
                due = job.schedule.next(after: max(slot, clock.now()))
                trigger = .schedule
                continue
            }
            let startedAt = clock.now()
            update(job.name) { $0.running = true }
            metrics.inProgress(collector: job.name, true)
            log.info("run started (trigger \(trigger.rawValue))")
            let succeeded = await job.run()
            let finishedAt = clock.now()
            metrics.inProgress(collector: job.name, false)
            metrics.runFinished(collector: job.name, trigger: trigger.rawValue, result: succeeded ? "success" : "failure",
                                seconds: finishedAt.timeIntervalSince(startedAt))
            do {
                try state.record(job.name, ScheduleState.Entry(lastStarted: startedAt, lastFinished: finishedAt, lastSucceeded: succeeded))
            } catch {
                log.warning("\(error)")
            }
            update(job.name) { $0.running = false; $0.runs += 1 }
            log.info("run \(succeeded ? "succeeded" : "failed") in \(String(format: "%.1f", finishedAt.timeIntervalSince(startedAt))) s")
            due = job.schedule.next(after: finishedAt)
            trigger = .schedule
        }
        log.info("schedule stopped")
    }

    /// Asks ``slots``; when asking fails the slot is run here (better twice, and deduplicated by the
    /// hash registry, than not at all).
    private func ownsSlot(_ collector: String, _ slot: Date, _ log: Logger) async -> Bool {
        do {
            return try await slots.acquireSlot(collector: collector, slot: slot)
        } catch {
            log.warning("could not ask which replica runs slot \(Self.iso(slot)) (\(error)); running it here")
            return true
        }
    }

    static func iso(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}
