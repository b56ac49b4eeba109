import CollectionFramework
import TestSupport
import XCTest

/// The built `scraper` against the simulator's transport faults: what is retried, what is not,
/// how long it waits, and that a failure stores and registers nothing.
final class FaultRetryTests: XCTestCase {
    var sim: MisoSimulatorProcess!
    var scraper: ScraperInvocation!

    override func setUpWithError() throws {
        sim = try MisoSimulatorProcess(arguments: ["--today", "2025-01-20", "--nodes", "3"])
        scraper = ScraperInvocation()
    }

    override func tearDown() {
        sim?.stop()
    }

    /// collectors.yaml with small backoffs so retries are quick but visible.
    func configure(attempts: Int = 3, http: String = "{}") throws {
        try scraper.writeConfig("""
        defaults:
          retry: {max_attempts: \(attempts), base_delay: 0.01, max_delay: 0.02}
        collectors:
          miso-cts: {type: miso.cts, http: \(http)}
        """)
    }

    func run(_ day: String, apiURL: String? = nil, extra: [String] = []) throws -> ScraperResult {
        try scraper.run(["run", "miso-cts", "--api-url", apiURL ?? sim.url(MisoSimulatorProcess.ctsPath), "--rate-limit", "0",
                         "--log-format", "json", "--log-level", "DEBUG", "--date", day] + extra)
    }

    func attemptLines(_ result: ScraperResult) -> [String] {
        result.messages(at: "debug").filter { $0.hasPrefix("attempt ") && $0.contains("retrying in") }
    }

    func testServerErrorsAndTruncatedBodiesAreRetriedThenStoredOnce() async throws {
        try configure()
        var expected: [String: Data] = [:]
        for (fault, day) in [("http-503", "2025-01-18"), ("http-500", "2025-01-19"), ("truncated", "2025-01-20")] {
            try sim.resetStats()
            try sim.setFault(fault, count: 2)
            let result = try run(day)
            XCTAssertEqual(result.status, 0, "\(fault): \(result.transcript)")
            XCTAssertEqual(result.count("collected"), 1, "\(fault): \(result.transcript)")
            XCTAssertEqual(try sim.stats().requests, 3, "\(fault): two failures then success")
            XCTAssertEqual(attemptLines(result).count, 2, "\(fault): each retried attempt logged at debug: \(result.stderr)")
            XCTAssertTrue(result.messages(at: "warning").isEmpty, "\(fault): no give-up: \(result.messages(at: "warning"))")
            expected.merge(try SnapshotAudit.ctsDays([day], sim: sim)) { $1 }
            await XCTAssertEqualAsync(await SnapshotAudit.problems(scraper, expected: expected), [], fault)
        }
        let causes = [("http-503", "HTTP 503"), ("http-500", "HTTP 500"), ("truncated", "cut short")]
        for (fault, cause) in causes {
            try sim.setFault(fault, count: 0)
            let result = try run("2025-01-17")
            try sim.clearFault()
            XCTAssertEqual(result.status, 1, "\(fault): \(result.transcript)")
            XCTAssertEqual(result.count("failed"), 1)
            let warnings = result.messages(at: "warning").filter { $0.contains("giving up") }
            XCTAssertEqual(warnings.count, 1, "\(fault): give-up logged once at warning: \(result.stderr)")
            XCTAssertTrue(warnings.first?.contains("after 3 attempt(s)") == true && warnings.first?.contains(cause) == true,
                          "\(fault): the warning names the attempts and the last cause: \(warnings)")
            XCTAssertTrue(result.errors.first?.contains(cause) == true, "\(fault): \(result.errors)")
            await XCTAssertEqualAsync(await SnapshotAudit.problems(scraper, expected: expected), [], "\(fault): nothing new stored or registered")
        }
    }

    func testRetryAfterInSecondsAndAsAnHTTPDateIsWaitedFor() async throws {
        try configure()
        for (fault, day) in [("http-429", "2025-01-19"), ("http-429-date", "2025-01-20")] {
            try sim.resetStats()
            try sim.setFault(fault, count: 1)
            let started = Date()
            let result = try run(day)
            let elapsed = Date().timeIntervalSince(started)
            XCTAssertEqual(result.status, 0, "\(fault): \(result.transcript)")
            XCTAssertEqual(result.count("collected"), 1)
            XCTAssertEqual(try sim.stats().requests, 2)
            // The backoff alone would be at most 0.02 s: waiting ~1 s or more shows Retry-After was read.
            XCTAssertGreaterThanOrEqual(elapsed, 0.95, "\(fault): Retry-After honoured")
            let attempt = try XCTUnwrap(attemptLines(result).first, result.stderr)
            XCTAssertTrue(attempt.contains("HTTP 429"), attempt)
            let seconds = Double(attempt.components(separatedBy: "retrying in ").last?.dropLast() ?? "") ?? -1
            XCTAssertTrue((0.9...2.1).contains(seconds), "\(fault): waited \(seconds)s: \(attempt)")
        }
        await XCTAssertEqualAsync(await SnapshotAudit.problems(scraper, expected: try SnapshotAudit.ctsDays(["2025-01-19", "2025-01-20"], sim: sim)), [])
    }

    func testNotFoundIsNotRetried() async throws {
        try configure()
        try sim.setFault("http-404", count: 0)
        let result = try run("2025-01-19")
        XCTAssertEqual(result.status, 1, result.transcript)
        XCTAssertEqual(try sim.stats().requests, 1, "a 404 is final")
        XCTAssertTrue(attemptLines(result).isEmpty, result.stderr)
        XCTAssertTrue(result.errors.first?.contains("HTTP 404") == true, "\(result.errors)")
        await XCTAssertEqualAsync(await SnapshotAudit.problems(scraper, expected: [:]), [])
    }

    func testSlowResponseBeyondTheConfiguredTimeoutIsRetriedThenRecovers() async throws {
        // The slow fault spreads the body over ~5 s; http.timeout of 1 s cuts each attempt.
        try configure(attempts: 2, http: "{timeout: 1}")
        try sim.setFault("slow", count: 0)
        let started = Date()
        let failed = try run("2025-01-19")
        XCTAssertLessThan(Date().timeIntervalSince(started), 45, "hang guard")
        XCTAssertEqual(failed.status, 1, failed.transcript)
        // Each attempt was cut by the timeout (curl says so), rather than read to the end of the slow body.
        XCTAssertEqual(attemptLines(failed).count, 1, failed.stderr)
        XCTAssertTrue(attemptLines(failed).allSatisfy { $0.contains("timed out") }, "\(attemptLines(failed))")
        XCTAssertEqual(try sim.stats().requests, 2)
        let warning = try XCTUnwrap(failed.messages(at: "warning").first { $0.contains("giving up") }, failed.stderr)
        XCTAssertTrue(warning.contains("timed out"), warning)
        await XCTAssertEqualAsync(await SnapshotAudit.problems(scraper, expected: [:]), [])

        try sim.setFault("slow", count: 1)
        let recovered = try run("2025-01-19")
        XCTAssertEqual(recovered.status, 0, recovered.transcript)
        await XCTAssertEqualAsync(await SnapshotAudit.problems(scraper, expected: try SnapshotAudit.ctsDays(["2025-01-19"], sim: sim)), [])
    }

    func testConnectionRefusedIsRetriedAndReported() async throws {
        try configure()
        let nobody = "http://127.0.0.1:\(Loopback.freePort())\(MisoSimulatorProcess.ctsPath)"
        let result = try run("2025-01-19", apiURL: nobody)
        XCTAssertEqual(result.status, 1, result.transcript)
        XCTAssertEqual(attemptLines(result).count, 2, result.stderr)
        let warning = try XCTUnwrap(result.messages(at: "warning").first { $0.contains("giving up") }, result.stderr)
        XCTAssertTrue(warning.contains("after 3 attempt(s)") && warning.contains("could not connect"), warning)
        XCTAssertTrue(result.errors.first?.contains("could not connect") == true, "\(result.errors)")
        await XCTAssertEqualAsync(await SnapshotAudit.problems(scraper, expected: [:]), [])
    }

    func testHugeResponseStopsAtTheCapWithoutRetrying() async throws {
        try configure(http: "{max_response_bytes: 1048576}")
        try sim.setFault("huge", count: 0)
        let result = try run("2025-01-19")
        XCTAssertEqual(result.status, 1, result.transcript)
        XCTAssertEqual(try sim.stats().requests, 1, "an oversized response is not retried")
        XCTAssertTrue(result.errors.first?.contains("1048576-byte cap") == true, "\(result.errors)")
        XCTAssertFalse(result.stderr.contains("Fatal error"), result.stderr)
        await XCTAssertEqualAsync(await SnapshotAudit.problems(scraper, expected: [:]), [])
    }

    func testRateLimitSpacesRequestsAndZeroLiftsIt() async throws {
        try configure()
        let days = ["--start-date", "2025-01-17", "--end-date", "2025-01-20"]
        let started = Date()
        let limited = try scraper.run(["run", "miso-cts", "--api-url", sim.url(MisoSimulatorProcess.ctsPath),
                                       "--rate-limit", "120", "--log-format", "json"] + days)
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertEqual(limited.status, 0, limited.transcript)
        XCTAssertEqual(try sim.stats().requests, 4)
        // 120 a minute = one every 0.5 s: four requests take at least 1.5 s even with four workers.
        XCTAssertGreaterThanOrEqual(elapsed, 1.45, "requests were spaced")

        let unlimitedStart = Date()
        let unlimited = try scraper.run(["run", "miso-cts", "--api-url", sim.url(MisoSimulatorProcess.ctsPath),
                                         "--rate-limit", "0", "--log-format", "json", "--force"] + days)
        XCTAssertEqual(unlimited.status, 0, unlimited.transcript)
        XCTAssertLessThan(Date().timeIntervalSince(unlimitedStart), elapsed, "--rate-limit 0 is unlimited")
        await XCTAssertEqualAsync(await SnapshotAudit.problems(scraper, expected: try SnapshotAudit.ctsDays(SnapshotAudit.januaryDays(from: 17, count: 4), sim: sim)), [])
    }
}
