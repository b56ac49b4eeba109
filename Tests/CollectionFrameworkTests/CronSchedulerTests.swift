import BlockingIO
import CollectionFramework
import Foundation
import Logging
import TestSupport
import Synchronization
import XCTest

/// Counts what scheduled probe collectors do: runs started, and the most runs of one collector at once.
final class ProbeBoard: Sendable {
    static let shared = ProbeBoard()
    private struct Counts { var active = 0, maxActive = 0, finished = 0, started = 0 }
    private let counts = Mutex<[String: Counts]>([:])

    func enter(_ name: String) {
        counts.withLock { all in
            var c = all[name] ?? Counts()
            c.active += 1
            c.started += 1
            c.maxActive = max(c.maxActive, c.active)
            all[name] = c
        }
    }

    func leave(_ name: String) {
        counts.withLock { all in
            all[name, default: Counts()].active -= 1
            all[name, default: Counts()].finished += 1
        }
    }

    func counts(_ name: String) -> (started: Int, finished: Int, maxActive: Int) {
        counts.withLock { all in
            let c = all[name] ?? Counts()
            return (c.started, c.finished, c.maxActive)
        }
    }
}

/// A collector built from configuration (as the daemon builds it): one candidate per run, unique per
/// run, whose fetch takes `delay_ms` and is counted on ``ProbeBoard``.
struct ScheduledProbeCollector: Collector {
    static let typeName = "test.scheduled_probe"
    static let summary = "counts scheduled runs"
    static let parameters = [CollectorParameter("delay_ms", .integer(0...60_000), help: "how long each fetch takes, in milliseconds")]
    let datasetGroup = "test_scheduled_probe"
    let name: String
    let delay: Double

    init(configuration: CollectorConfiguration) throws {
        name = configuration.name
        guard let ms = Double(configuration.parameters["delay_ms"] ?? "0") else { throw CollectorError.invalidArgument("delay_ms must be a number") }
        delay = ms / 1000
    }

    func candidates(for request: CollectionRequest) throws -> [DownloadCandidate] {
        let stamp = Int(request.collectionTime.timeIntervalSince1970 * 1000)
        return [DownloadCandidate(identifier: "\(name)_\(stamp).json", sourceURL: "http://127.0.0.1:9/\(name)",
                                  partitionDate: CalendarDate(year: 2025, month: 1, day: 20)!)]
    }

    func collect(_ candidate: DownloadCandidate, using http: any HTTPClient) async throws -> ContentStream {
        ProbeBoard.shared.enter(name)
        defer { ProbeBoard.shared.leave(name) }
        // A download in flight: blocking I/O on the pool, which a stopping run lets finish.
        let delay = delay
        try await BlockingIOPool.shared.run { Thread.sleep(forTimeInterval: delay) }
        return ContentStream(Data("{\"ok\": true, \"id\": \"\(candidate.identifier)\"}".utf8))
    }

    func validate(_ content: Data, for candidate: DownloadCandidate) -> ValidationResult {
        .valid(ValidationReport(recordCount: 1))
    }
}

final class CronSchedulerTests: XCTestCase {
    var root: URL!
    var services: PipelineServices!

    override func setUpWithError() throws {
        root = TestPaths.temporaryDirectory("scheduler")
        services = PipelineServices(store: LocalObjectStore(root: root.appendingPathComponent("data")),
                                    registry: try SQLiteHashRegistry(path: root.appendingPathComponent("registry.sqlite3").path, environment: "dev"))
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: root)
    }

    private func entry(_ name: String, schedule: String?, delayMs: Int = 0) -> ResolvedCollector {
        var e = ResolvedCollector(name: name, type: ScheduledProbeCollector.typeName, schedule: schedule, parameters: ["delay_ms": String(delayMs)])
        e.pipeline.concurrency = 1
        return e
    }

    private func daemon(_ entries: [ResolvedCollector], state: ScheduleState, jitter: Double = 0,
                        clock: any ScheduleClock = ScaledScheduleClock(speed: 120)) throws -> CollectionDaemon {
        let runner = CollectionRunner(logger: Logger(label: "test"), catalog: CollectorCatalog([ScheduledProbeCollector.self]))
        let daemon = try CollectionDaemon(runner: runner, collectors: entries, services: services,
                                          state: state, jitterSeconds: jitter, clock: clock)
        return daemon
    }

    /// Runs the daemon's schedules until the returned task is cancelled (as `serve` does on SIGTERM).
    private func start(_ daemon: CollectionDaemon) -> Task<Void, Never> {
        let scheduler = daemon.scheduler
        let task = Task { await scheduler.run() }
        addTeardownBlock {
            // A failed assertion must not leave a daemon running into the next test.
            task.cancel()
            await task.value
        }
        return task
    }

    private func waitFor(_ seconds: Double, _ condition: () -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }

    func testRunsEveryCollectorOnItsScheduleAndStoresThroughThePipeline() async throws {
        let name = "fast-\(UUID().uuidString.prefix(6))"
        let slow = "slow-\(UUID().uuidString.prefix(6))"
        // Speed 120: `* * * * *` is a slot every half second of real time; `*/2` every second.
        let d = try daemon([entry(name, schedule: "* * * * *"), entry(slow, schedule: "*/2 * * * *")],
                           state: ScheduleState(path: root.appendingPathComponent("state.json").path))
        let running = start(d)
        let reached1 = await waitFor(10) { ProbeBoard.shared.counts(name).finished >= 4 && ProbeBoard.shared.counts(slow).finished >= 2 }
        XCTAssertTrue(reached1)
        running.cancel()
        await running.value
        let fast = ProbeBoard.shared.counts(name).finished
        let every2 = ProbeBoard.shared.counts(slow).finished
        XCTAssertGreaterThan(fast, every2, "the every-minute collector runs more often than the every-two-minutes one")
        let stored = (services.store as! LocalObjectStore).keys(under: "sourcing/test_scheduled_probe")
        XCTAssertEqual(stored.filter { $0.contains(name) }.count, fast, "each run stored its snapshot: \(stored)")
        XCTAssertEqual(d.lastSummaries[name]?.collected, 1)
        XCTAssertEqual(d.scheduler.status().map(\.name), [name, slow])
        let state = String(decoding: try Data(contentsOf: root.appendingPathComponent("state.json")), as: UTF8.self)
        XCTAssertTrue(state.contains("\"\(name)\": {\"last_started\": \""), state)
        XCTAssertTrue(state.contains("\"last_succeeded\": true"), state)
    }

    func testNeverOverlapsTwoRunsOfOneCollectorWhenARunOutlastsItsInterval() async throws {
        let name = "overlap-\(UUID().uuidString.prefix(6))"
        // Slots every 0.5 s; each run takes 1.2 s.
        let d = try daemon([entry(name, schedule: "* * * * *", delayMs: 1200)], state: ScheduleState(path: nil))
        let running = start(d)
        let reached2 = await waitFor(15) { ProbeBoard.shared.counts(name).finished >= 3 }
        XCTAssertTrue(reached2)
        running.cancel()
        await running.value
        let counts = ProbeBoard.shared.counts(name)
        XCTAssertEqual(counts.maxActive, 1, "two runs of one collector overlapped")
        XCTAssertEqual(counts.started, counts.finished)
    }

    func testAfterDowntimeAMissedScheduleRunsOnceNotOncePerMissedSlot() async throws {
        let statePath = root.appendingPathComponent("state.json").path
        let name = "catchup-\(UUID().uuidString.prefix(6))"
        let quiet = "quiet-\(UUID().uuidString.prefix(6))"
        let fresh = "fresh-\(UUID().uuidString.prefix(6))"
        // Hourly at minute 0, on a real-speed clock pinned to 10:30:00 UTC: the next slot is half an hour away
        // whatever the wall-clock minute, so only the catch-up can run.
        let hourly = "0 * * * *"
        let clock = PinnedScheduleClock(start: Date(timeIntervalSince1970: 1_737_369_000))   // 2025-01-20T10:30:00Z
        let seed = ScheduleState(path: statePath)
        let dayAgo = clock.now().addingTimeInterval(-86400)
        try seed.record(name, .init(lastStarted: dayAgo, lastFinished: dayAgo, lastSucceeded: true))    // 24 slots missed
        try seed.record(quiet, .init(lastStarted: clock.now(), lastFinished: clock.now(), lastSucceeded: true))   // nothing missed
        let d = try daemon([entry(name, schedule: hourly), entry(quiet, schedule: hourly), entry(fresh, schedule: hourly)],
                           state: ScheduleState(path: statePath), clock: clock)
        let running = start(d)
        let reached3 = await waitFor(10) { ProbeBoard.shared.counts(name).finished >= 1 }
        XCTAssertTrue(reached3)
        try await Task.sleep(for: .milliseconds(1500))
        running.cancel()
        await running.value
        XCTAssertEqual(ProbeBoard.shared.counts(name).finished, 1, "one catch-up run for 24 missed slots")
        XCTAssertEqual(ProbeBoard.shared.counts(quiet).finished, 0, "no slot missed since the last run: wait for the next")
        XCTAssertEqual(ProbeBoard.shared.counts(fresh).finished, 0, "never ran before: wait for the first slot")
        let after = try XCTUnwrap(ScheduleState(path: statePath).entry(for: name))
        XCTAssertGreaterThan(after.lastFinished, clock.now().addingTimeInterval(-60), "the catch-up run was recorded")
    }

    func testCancellationDrainsTheRunInProgressThenStops() async throws {
        let name = "drain-\(UUID().uuidString.prefix(6))"
        let d = try daemon([entry(name, schedule: "* * * * *", delayMs: 1500)], state: ScheduleState(path: nil))
        let running = start(d)
        let reached4 = await waitFor(10) { ProbeBoard.shared.counts(name).started >= 1 }
        XCTAssertTrue(reached4)
        let cancelledAt = Date()
        running.cancel()
        await running.value
        let counts = ProbeBoard.shared.counts(name)
        XCTAssertEqual(counts.started, counts.finished, "wait() returned before the running candidate finished")
        XCTAssertEqual(counts.started, 1, "no run starts after cancellation")
        // Only a hang guard: the drain is the 1.5 s candidate (the ordering above is the real assertion).
        XCTAssertLessThan(Date().timeIntervalSince(cancelledAt), 30, "wait() hung after cancellation")
        XCTAssertEqual(d.lastSummaries[name]?.collected, 1, "the candidate in progress was stored, not abandoned")
    }

    func testJitterDelaysEachStartWithinItsBound() async throws {
        let name = "jitter-\(UUID().uuidString.prefix(6))"
        let state = ScheduleState(path: root.appendingPathComponent("jitter.json").path)
        // Virtual time: each start happens exactly at its planned instant, so the offsets are the jitter itself.
        let clock = InstantScheduleClock(start: Date(timeIntervalSince1970: 1_737_367_201))   // 2025-01-20T10:00:01Z
        let d = try daemon([entry(name, schedule: "*/2 * * * *")], state: state, jitter: 40, clock: clock)
        let running = start(d)
        let reached5 = await waitFor(60) { d.scheduler.status()[0].runs >= 30 }
        XCTAssertTrue(reached5, "30 runs on virtual time")
        running.cancel()
        await running.value
        // Slots are on the two-minute grid; a jittered start is planned 0…40 s after its slot.
        let offsets = clock.sleepTargets.map { $0.timeIntervalSince1970.truncatingRemainder(dividingBy: 120) }.filter { $0 != 0 }
        XCTAssertGreaterThanOrEqual(offsets.count, 30, "each run first waited a random delay after its slot: \(clock.sleepTargets)")
        for offset in offsets {
            XCTAssertGreaterThan(offset, 0)
            XCTAssertLessThanOrEqual(offset, 40, "a start is at most the jitter after its slot: \(offsets)")
        }
        // Spread: 30 uniform draws over 0…40 s span less than 20 s with probability ~1e-7; no jitter spans 0.
        let spread = (offsets.max() ?? 0) - (offsets.min() ?? 0)
        XCTAssertGreaterThanOrEqual(spread, 20, "starts are spread over the jitter window: \(offsets)")
        let lastStarted = try XCTUnwrap(state.entry(for: name)).lastStarted.timeIntervalSince1970
        XCTAssertTrue(offsets.contains(lastStarted.truncatingRemainder(dividingBy: 120)),
                      "the recorded start is a jittered one: \(lastStarted)")
    }

    func testRefusesBadSchedulesAndUnknownTypesBeforeStarting() async throws {
        XCTAssertThrowsError(try daemon([entry("x", schedule: "*/15 * * *")], state: ScheduleState(path: nil))) { error in
            XCTAssertTrue("\(error)".contains("collectors.x.schedule"), "\(error)")
            XCTAssertTrue("\(error)".contains("has 4 fields"), "\(error)")
        }
        XCTAssertThrowsError(try daemon([entry("y", schedule: "0 0 30 2 *")], state: ScheduleState(path: nil))) { error in
            XCTAssertTrue("\(error)".contains("never fires"), "\(error)")
        }
        XCTAssertThrowsError(try daemon([ResolvedCollector(name: "z", type: "no.such", schedule: "* * * * *")], state: ScheduleState(path: nil))) { error in
            XCTAssertTrue("\(error)".contains("unknown type no.such"), "\(error)")
        }
        let d = try daemon([entry("w", schedule: nil)], state: ScheduleState(path: nil))
        XCTAssertEqual(d.scheduler.jobs.first?.schedule.text, "*/15 * * * *", "no schedule: the spec's every 15 minutes")
    }

    func testAnUnreadableStateFileIsReportedAndTreatedAsEmpty() async throws {
        let path = root.appendingPathComponent("broken.json").path
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: path))
        let state = ScheduleState(path: path)
        XCTAssertNil(state.entry(for: "any"))
        XCTAssertTrue(state.loadProblem?.contains(path) == true, state.loadProblem ?? "no problem reported")
        try state.record("any", .init(lastStarted: Date(), lastFinished: Date(), lastSucceeded: false))
        XCTAssertEqual(ScheduleState(path: path).entry(for: "any")?.lastSucceeded, false, "rewritten whole")
        XCTAssertNil(ScheduleState(path: path).loadProblem)
    }
}
