import Foundation
import Logging

/// Something to run on a cron schedule.
public struct ScheduledJob: Sendable {
    /// The collector name (also the key in ``ScheduleState``).
    public var name: String
    public var schedule: CronExpression
    /// Runs once, synchronously; returns true when the run succeeded.
    public var run: @Sendable () -> Bool

    public init(name: String, schedule: CronExpression, run: @escaping @Sendable () -> Bool) {
        self.name = name
        self.schedule = schedule
        self.run = run
    }
}

/// Runs each job on its schedule, one thread per job, so two runs of one job never overlap: a run
/// that outlasts its interval makes the slots it covered pass without a run.
///
/// - Start jitter: each run starts a random 0…`jitterSeconds` after its slot.
/// - Downtime: at start, when the state file shows that a slot passed since the job last finished,
///   the job runs once at once (trigger `catch_up`), however many slots were missed.
/// - Stop: cancel ``cancellation``; waiting jobs stop at once, a running job finishes its current
///   candidates (the pipeline sees the same flag), then ``wait()`` returns.
public final class CollectorScheduler: @unchecked Sendable {
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
    public let cancellation: CancellationFlag
    public let metrics: SchedulerMetrics
    private let logger: Logger
    private let group = DispatchGroup()
    private let lock = NSLock()
    private var statuses: [String: JobStatus] = [:]
    private var started = false

    public init(jobs: [ScheduledJob], state: ScheduleState, jitterSeconds: Double = 0, clock: any ScheduleClock = SystemScheduleClock(),
                cancellation: CancellationFlag, logger: Logger, environment: String) {
        self.jobs = jobs
        self.state = state
        self.jitterSeconds = max(0, jitterSeconds)
        self.clock = clock
        self.cancellation = cancellation
        self.logger = logger
        self.metrics = SchedulerMetrics(environment: environment)
        for job in jobs { statuses[job.name] = JobStatus(name: job.name, running: false, nextRun: nil, runs: 0) }
    }

    /// Starts one thread per job (once).
    public func start() {
        lock.lock()
        guard !started else { lock.unlock(); return }
        started = true
        lock.unlock()
        if let problem = state.loadProblem { logger.warning("\(problem)") }
        metrics.started()
        metrics.scheduledCollectors(jobs.count)
        for job in jobs {
            group.enter()
            let thread = Thread { [self] in
                defer { group.leave() }
                loop(job)
            }
            thread.name = "schedule \(job.name)"
            thread.start()
        }
    }

    /// Blocks until every job's loop has ended (after ``cancellation`` is cancelled).
    public func wait() {
        group.wait()
    }

    /// A snapshot of every job's status, in job order.
    public func status() -> [JobStatus] {
        lock.lock(); defer { lock.unlock() }
        return jobs.compactMap { statuses[$0.name] }
    }

    /// When `job` should first run: now when a slot passed since its last recorded finish, else its next slot.
    func firstDue(_ job: ScheduledJob, now: Date) -> (Date?, Trigger) {
        if let last = state.entry(for: job.name), let missed = job.schedule.next(after: last.lastFinished), missed <= now {
            return (now, .catchUp)
        }
        return (job.schedule.next(after: now), .schedule)
    }

    private func update(_ name: String, _ change: (inout JobStatus) -> Void) {
        lock.lock()
        if var s = statuses[name] { change(&s); statuses[name] = s }
        lock.unlock()
    }

    private func loop(_ job: ScheduledJob) {
        var log = logger
        log[metadataKey: "collector"] = "\(job.name)"
        var (due, trigger) = firstDue(job, now: clock.now())
        if trigger == .catchUp, let last = state.entry(for: job.name) {
            log.info("the slot after the last run (finished \(Self.iso(last.lastFinished))) was missed while stopped: running once now")
        }
        while !cancellation.isCancelled {
            guard let slot = due else {
                log.error("schedule \(job.schedule.text.debugDescription) never fires: nothing to do for this collector")
                return
            }
            update(job.name) { $0.nextRun = slot }
            metrics.nextRun(collector: job.name, at: slot)
            if trigger == .schedule { log.info("next run at \(Self.iso(slot)) (schedule \(job.schedule.text))") }
            clock.sleep(until: slot, unless: cancellation)
            if cancellation.isCancelled { break }
            if jitterSeconds > 0 {
                clock.sleep(until: clock.now().addingTimeInterval(Double.random(in: 0...jitterSeconds)), unless: cancellation)
                if cancellation.isCancelled { break }
            }
            let startedAt = clock.now()
            update(job.name) { $0.running = true }
            metrics.inProgress(collector: job.name, true)
            log.info("run started (trigger \(trigger.rawValue))")
            let succeeded = job.run()
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

    static func iso(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}
