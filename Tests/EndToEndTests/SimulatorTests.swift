import CollectionFramework
import Foundation
import TestSupport
import XCTest

/// Runs the built `miso-sim` and checks every endpoint, shape, filter, fault and control endpoint over real HTTP.
final class SimulatorTests: XCTestCase {
    private let today = "2025-01-20"
    private var sim: MisoSimulatorProcess!

    override func setUpWithError() throws {
        sim = try MisoSimulatorProcess(arguments: ["--today", today, "--nodes", "3", "--seed", "7"])
    }

    override func tearDown() {
        sim?.stop()
        sim = nil
    }

    // MARK: - Start, stop and command line

    func testPrintsOneListeningLineAndStopsOnSIGTERMAndSIGINT() throws {
        XCTAssertEqual(sim.child.stdout, "miso-sim listening on \(sim.baseURL)\n")
        sim.child.send(SIGTERM)
        XCTAssertEqual(sim.child.wait(timeout: 10), 0)
        XCTAssertFalse(Loopback.isListening(sim.port))

        let other = try MisoSimulatorProcess(arguments: ["--today", today])
        other.child.send(SIGINT)
        XCTAssertEqual(other.child.wait(timeout: 10), 0)
    }

    func testRejectsBadCommandLineWithAnActionableMessage() throws {
        let result = try runCommand(TestPaths.product("miso-sim"), ["--today", "2025-13-01"], timeout: 30)
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("YYYY-MM-DD"), result.stderr)
        let fault = try runCommand(TestPaths.product("miso-sim"), ["--fault", "no-such-fault"], timeout: 30)
        XCTAssertNotEqual(fault.status, 0)
    }

    // MARK: - Documented CTS shape

    func testDocumentedShapeHas288RecordsPerNodeAndConsistentArithmetic() throws {
        let response = try sim.get(MisoSimulatorProcess.ctsPath)
        XCTAssertEqual(response.status, 200)
        XCTAssertTrue(response.headers["content-type"]?.hasPrefix("application/json") == true)
        let check = try CTSCheck(response.body, expectedDay: today)
        XCTAssertEqual(check.records.count, 288 * 3)
        XCTAssertEqual(check.broken, [], "a clean payload breaks no rule")
        XCTAssertEqual(check.metadata?["operatingDay"] as? String, today)
        XCTAssertEqual(check.metadata?["dataQuality"] as? String, "FORECAST")
        XCTAssertEqual(Set(check.records.compactMap { $0["node"] as? String }),
                       ["MISO.PJM.INTERFACE1", "MISO.PJM.INTERFACE2", "MISO.PJM.INTERFACE3"])
        XCTAssertEqual(Set(check.records.compactMap { $0["interval"] as? String }).count, 288)
        let first = try XCTUnwrap(check.records.first)
        XCTAssertEqual(first["timestamp"] as? String, "2025-01-20T00:00:00-05:00")
        // Prices are written with exactly two decimals.
        let text = String(decoding: response.body, as: UTF8.self)
        let priceLiterals = try NSRegularExpression(pattern: "\"(total|energy|congestion|losses)\":(-?[0-9]+(\\.[0-9]+)?)")
        let matches = priceLiterals.matches(in: text, range: NSRange(text.startIndex..., in: text))
        XCTAssertEqual(matches.count, 288 * 3 * 4)
        for match in matches.prefix(400) {
            let literal = String(text[Range(match.range(at: 2), in: text)!])
            XCTAssertTrue(literal.range(of: "^-?[0-9]+\\.[0-9]{2}$", options: .regularExpression) != nil, literal)
        }
    }

    func testSameRequestGivesByteIdenticalBodiesAndTheSeedMatters() throws {
        let query = [("date", "2025-01-18")]
        let first = try sim.get(MisoSimulatorProcess.ctsPath, query: query).body
        let second = try sim.get(MisoSimulatorProcess.ctsPath, query: query).body
        XCTAssertFalse(first.isEmpty)
        XCTAssertEqual(first, second)

        let sameSeed = try MisoSimulatorProcess(arguments: ["--today", today, "--nodes", "3", "--seed", "7"])
        defer { sameSeed.stop() }
        XCTAssertEqual(try sameSeed.get(MisoSimulatorProcess.ctsPath, query: query).body, first)
        XCTAssertEqual(try sameSeed.get(MisoSimulatorProcess.exAntePath).body, try sim.get(MisoSimulatorProcess.exAntePath).body)

        let otherSeed = try MisoSimulatorProcess(arguments: ["--today", today, "--nodes", "3", "--seed", "8"])
        defer { otherSeed.stop() }
        XCTAssertNotEqual(try otherSeed.get(MisoSimulatorProcess.ctsPath, query: query).body, first)
    }

    func testDateIntervalAndNodeFiltersAreHonoured() throws {
        let past = try CTSCheck(sim.get(MisoSimulatorProcess.ctsPath, query: [("date", "2025-01-19")]).body, expectedDay: "2025-01-19")
        XCTAssertEqual(past.records.count, 288 * 3)
        XCTAssertEqual(past.broken, [])
        XCTAssertTrue(past.records.allSatisfy { ($0["timestamp"] as? String)?.hasPrefix("2025-01-19T") == true })
        XCTAssertEqual(past.metadata?["dataQuality"] as? String, "VALIDATED")

        let interval = try CTSCheck(sim.get(MisoSimulatorProcess.ctsPath, query: [("interval", "14:35")]).body, expectedDay: today)
        XCTAssertEqual(interval.records.count, 3)
        XCTAssertTrue(interval.records.allSatisfy { $0["interval"] as? String == "14:35" })
        XCTAssertEqual(interval.records.first?["timestamp"] as? String, "2025-01-20T14:35:00-05:00")

        let node = try CTSCheck(sim.get(MisoSimulatorProcess.ctsPath, query: [("node", "MISO.PJM.INTERFACE2")]).body, expectedDay: today)
        XCTAssertEqual(node.records.count, 288)
        XCTAssertTrue(node.records.allSatisfy { $0["node"] as? String == "MISO.PJM.INTERFACE2" })

        let all = try CTSCheck(sim.get(MisoSimulatorProcess.ctsPath, query: [
            ("date", "2025-01-22"), ("interval", "09:00"), ("node", "MISO.PJM.INTERFACE1"),
        ]).body, expectedDay: "2025-01-22")
        XCTAssertEqual(all.records.count, 1)
        XCTAssertEqual(all.records.first?["timestamp"] as? String, "2025-01-22T09:00:00-05:00")

        let unknown = try CTSCheck(sim.get(MisoSimulatorProcess.ctsPath, query: [("node", "MISO.PJM.NOWHERE")]).body, expectedDay: today)
        XCTAssertEqual(unknown.records.count, 0)
        XCTAssertEqual(unknown.metadata?["operatingDay"] as? String, today)

        for badDate in ["2025-02-30", "20-01-2025", "yesterday"] {
            let response = try sim.get(MisoSimulatorProcess.ctsPath, query: [("date", badDate)])
            XCTAssertEqual(response.status, 400, badDate)
            XCTAssertTrue(String(decoding: response.body, as: UTF8.self).contains("YYYY-MM-DD"))
            XCTAssertNotNil(try? JSONSerialization.jsonObject(with: response.body))
        }
        XCTAssertEqual(try sim.get(MisoSimulatorProcess.ctsPath, query: [("interval", "14:37")]).status, 400)
    }

    // MARK: - Live shapes

    func testLiveCTSShapeByFlagAndByQueryOverrideIgnoresOtherParameters() throws {
        let override = try sim.get(MisoSimulatorProcess.ctsPath, query: [("shape", "live")])
        XCTAssertEqual(override.status, 200)
        try assertValidLiveCTS(override.body)

        let live = try MisoSimulatorProcess(arguments: ["--today", today, "--shape", "live", "--seed", "7"])
        defer { live.stop() }
        let plain = try live.get(MisoSimulatorProcess.ctsPath).body
        try assertValidLiveCTS(plain)
        XCTAssertEqual(plain, override.body, "the live shape depends on seed and day only")
        XCTAssertEqual(try live.get(MisoSimulatorProcess.ctsPath, query: [("date", "2024-03-03"), ("node", "X")]).body, plain)
        let documented = try live.get(MisoSimulatorProcess.ctsPath, query: [("shape", "documented")])
        XCTAssertEqual(try CTSCheck(documented.body, expectedDay: today).records.count, 288 * 5)
    }

    func testExAnteLMPHasTheNineHubs() throws {
        let response = try sim.get(MisoSimulatorProcess.exAntePath)
        XCTAssertEqual(response.status, 200)
        let problems = try exAnteProblems(response.body)
        XCTAssertEqual(problems, [])
        let root = try jsonObject(response.body)
        let hubs = try XCTUnwrap(((root["LMPData"] as? [String: Any])?["ExAnteLMP"] as? [String: Any])?["Hub"] as? [[String: Any]])
        XCTAssertEqual(hubs.compactMap { $0["name"] as? String },
                       ["ARKANSAS.HUB", "ILLINOIS.HUB", "INDIANA.HUB", "LOUISIANA.HUB", "MICHIGAN.HUB",
                        "MINN.HUB", "MS.HUB", "SWPP", "TEXAS.HUB"])
    }

    func testBindingConstraintsAndTheNothingBindingForm() throws {
        let response = try sim.get(MisoSimulatorProcess.bindingPath)
        XCTAssertEqual(response.status, 200)
        let constraints = try bindingConstraints(response.body)
        XCTAssertGreaterThan(constraints.count, 1)
        for constraint in constraints {
            XCTAssertEqual(constraint["Period"], "2025-01-20T08:10:00")
            XCTAssertNotNil(Double(constraint["Price"] ?? ""))
            XCTAssertEqual(constraint["CURVETYPE"], "PERCENT")
        }
        XCTAssertEqual(try jsonObject(response.body)["RefId"] as? String, "20-Jan-2025 - Interval 08:10 EST")

        let none = try MisoSimulatorProcess(arguments: ["--today", today, "--binding-none"])
        defer { none.stop() }
        try assertNothingBinding(none.get(MisoSimulatorProcess.bindingPath).body)

        try sim.configure([("binding_none", "true")])
        try assertNothingBinding(sim.get(MisoSimulatorProcess.bindingPath).body)
        try sim.configure([("binding_none", "false")])
        XCTAssertEqual(try bindingConstraints(sim.get(MisoSimulatorProcess.bindingPath).body).count, constraints.count)
    }

    // MARK: - Transport faults

    func testStatusFaultsApplyToEveryFeedForTheirCount() throws {
        for (fault, status) in [("http-500", 500), ("http-503", 503), ("http-404", 404)] {
            try sim.setFault(fault, count: 3)
            for path in [MisoSimulatorProcess.ctsPath, MisoSimulatorProcess.exAntePath, MisoSimulatorProcess.bindingPath] {
                let response = try sim.get(path)
                XCTAssertEqual(response.status, status, "\(fault) on \(path)")
                XCTAssertNil(response.headers["retry-after"])
            }
            XCTAssertEqual(try sim.get(MisoSimulatorProcess.ctsPath).status, 200, "\(fault) used up after 3 requests")
        }

        try sim.setFault("http-429", count: 2)
        let limited = try sim.get(MisoSimulatorProcess.ctsPath)
        XCTAssertEqual(limited.status, 429)
        XCTAssertEqual(limited.headers["retry-after"], "1")
        XCTAssertEqual(try sim.get(MisoSimulatorProcess.exAntePath).status, 429)
        XCTAssertEqual(try sim.get(MisoSimulatorProcess.exAntePath).status, 200)

        try sim.setFault("http-503") // count 0: every request until cleared
        for _ in 0..<5 { XCTAssertEqual(try sim.get(MisoSimulatorProcess.ctsPath).status, 503) }
        try sim.clearFault()
        XCTAssertEqual(try sim.get(MisoSimulatorProcess.ctsPath).status, 200)
    }

    func testFaultGivenOnTheCommandLineWithACount() throws {
        let faulty = try MisoSimulatorProcess(arguments: ["--today", today, "--fault", "http-500", "--fault-count", "1"])
        defer { faulty.stop() }
        XCTAssertEqual(try faulty.get(MisoSimulatorProcess.ctsPath).status, 500)
        XCTAssertEqual(try faulty.get(MisoSimulatorProcess.ctsPath).status, 200)
        XCTAssertEqual(try faulty.stats().faultsApplied, 1)
    }

    func testHTMLFaultAnswers200WithAnHTMLPage() throws {
        try sim.setFault("html", count: 1)
        let response = try sim.get(MisoSimulatorProcess.ctsPath)
        XCTAssertEqual(response.status, 200)
        XCTAssertTrue(response.headers["content-type"]?.hasPrefix("text/html") == true)
        XCTAssertTrue(String(decoding: response.body, as: UTF8.self).contains("<html>"))
        XCTAssertNil(try? JSONSerialization.jsonObject(with: response.body))
    }

    func testTruncatedFaultMakesCurlReportAPartialTransfer() throws {
        try sim.setFault("truncated", count: 1)
        XCTAssertThrowsError(try sim.get(MisoSimulatorProcess.ctsPath)) { error in
            guard case HTTPError.truncatedBody = error else { return XCTFail("expected truncatedBody, got \(error)") }
        }
        XCTAssertEqual(try sim.get(MisoSimulatorProcess.ctsPath).status, 200)
    }

    func testSlowFaultSendsTheSameBodyOverSeveralSeconds() throws {
        let normal = try sim.get(MisoSimulatorProcess.exAntePath)
        try sim.setFault("slow", count: 1)
        let started = Date()
        let slow = try sim.get(MisoSimulatorProcess.exAntePath)
        let slowElapsed = Date().timeIntervalSince(started)
        XCTAssertGreaterThanOrEqual(slowElapsed, 4)
        XCTAssertGreaterThan(slowElapsed, 4 * normal.elapsed, "slow compared with a normal answer measured in the same run")
        XCTAssertEqual(slow.status, 200)
        XCTAssertEqual(slow.body, normal.body)
        XCTAssertThrowsError(try { try self.sim.setFault("slow", count: 1); _ = try self.sim.get(MisoSimulatorProcess.ctsPath, timeout: 1) }()) { error in
            guard case HTTPError.timedOut = error else { return XCTFail("expected a timeout, got \(error)") }
        }
    }

    func testHugeFaultStreamsAbout64MiBOfValidLookingJSON() throws {
        try sim.setFault("huge", count: 2)
        let response = try sim.get(MisoSimulatorProcess.ctsPath, timeout: 120)
        XCTAssertEqual(response.status, 200)
        XCTAssertGreaterThan(response.body.count, 60 * 1024 * 1024)
        XCTAssertLessThan(response.body.count, 70 * 1024 * 1024)
        XCTAssertEqual(String(decoding: response.body.prefix(9), as: UTF8.self), "{\"data\":[")
        XCTAssertTrue(String(decoding: response.body.suffix(200), as: UTF8.self).hasSuffix("\"dataQuality\":\"FORECAST\"}}"))

        let capped = CurlHTTPClient(configuration: HTTPClientConfiguration(maxResponseBytes: 1024 * 1024))
        XCTAssertThrowsError(try capped.sendBlocking(HTTPRequest(url: sim.url(MisoSimulatorProcess.ctsPath)))) { error in
            guard case HTTPError.responseTooLarge = error else { return XCTFail("expected responseTooLarge, got \(error)") }
        }
    }

    // MARK: - Payload faults

    func testEachDocumentedPayloadFaultBreaksExactlyItsRule() throws {
        let expected: [(String, CTSRule)] = [
            ("bad-structure", .structure), ("bad-arithmetic", .arithmetic), ("bad-interval", .interval),
            ("bad-lmp-direction", .lmpDirection), ("bad-transaction-direction", .transactionDirection),
            ("non-numeric", .numeric), ("negative-volume", .volume), ("bad-quality", .quality), ("wrong-day", .operatingDay),
        ]
        for (fault, rule) in expected {
            try sim.setFault(fault, count: 1)
            let response = try sim.get(MisoSimulatorProcess.ctsPath, query: [("date", today)])
            XCTAssertEqual(response.status, 200, fault)
            let check = try CTSCheck(response.body, expectedDay: today)
            XCTAssertEqual(check.broken, [rule], fault)
            XCTAssertLessThanOrEqual(check.offendingRecords, 1, fault)
            XCTAssertEqual(check.records.count, 288 * 3, fault)
            XCTAssertEqual(try CTSCheck(sim.get(MisoSimulatorProcess.ctsPath).body, expectedDay: today).broken, [],
                           "\(fault) applies to one request only")
        }
    }

    func testPayloadFaultsWaitForTheirOwnFeed() throws {
        try sim.setFault("bad-arithmetic", count: 1)
        XCTAssertEqual(try exAnteProblems(sim.get(MisoSimulatorProcess.exAntePath).body), [])
        try assertValidLiveCTS(sim.get(MisoSimulatorProcess.ctsPath, query: [("shape", "live")]).body)
        XCTAssertEqual(try sim.stats().fault, "bad-arithmetic", "not used up by other feeds")
        XCTAssertEqual(try CTSCheck(sim.get(MisoSimulatorProcess.ctsPath).body, expectedDay: today).broken, [.arithmetic])
        XCTAssertEqual(try sim.stats().fault, "none")
    }

    func testLiveCTSFaults() throws {
        func fetch(_ fault: String) throws -> (refID: String?, entries: [[String: String]]) {
            try sim.setFault(fault, count: 1)
            let root = try jsonObject(sim.get(MisoSimulatorProcess.ctsPath, query: [("shape", "live")]).body)
            return (root["RefId"] as? String, (root["Interval"] as? [[String: String]]) ?? [])
        }
        let refID = try fetch("live-bad-refid")
        XCTAssertNotNil(refID.refID)
        XCTAssertFalse(refID.refID!.contains("Interval 08:00 EST"))
        XCTAssertEqual(refID.entries.count, 12)

        XCTAssertEqual(try fetch("live-empty").entries.count, 0)

        let badTime = try fetch("live-bad-time").entries
        XCTAssertEqual(badTime.filter { solutionMinutes($0["SOLUTIONTIME"] ?? "") == nil }.count, 1)

        let offGrid = try fetch("live-off-grid").entries
        let minutes = offGrid.compactMap { solutionMinutes($0["SOLUTIONTIME"] ?? "") }
        XCTAssertEqual(minutes.count, 12)
        XCTAssertEqual(minutes.filter { $0 % 15 != 0 }, [8 * 60 + 7])

        let badPrice = try fetch("live-bad-price").entries
        XCTAssertEqual(badPrice.filter { Double($0["PJMFORECASTEDLMP"] ?? "") == nil }.map { $0["PJMFORECASTEDLMP"] }, ["None"])

        try assertValidLiveCTS(sim.get(MisoSimulatorProcess.ctsPath, query: [("shape", "live")]).body)
    }

    func testExAnteFaults() throws {
        let expected: [(String, ExAnteProblem)] = [
            ("exante-duplicate-hub", .duplicateHub), ("exante-bad-refid", .badRefID), ("exante-no-hubs", .noHubs),
            ("exante-bad-number", .badNumber), ("exante-hour-mismatch", .hourMismatch),
        ]
        for (fault, problem) in expected {
            try sim.setFault(fault, count: 1)
            XCTAssertEqual(try exAnteProblems(sim.get(MisoSimulatorProcess.exAntePath).body), [problem], fault)
            XCTAssertEqual(try exAnteProblems(sim.get(MisoSimulatorProcess.exAntePath).body), [], "\(fault) used up")
        }
    }

    func testBindingFaults() throws {
        try sim.setFault("binding-none", count: 1)
        try assertNothingBinding(sim.get(MisoSimulatorProcess.bindingPath).body)

        try sim.setFault("binding-bad-period", count: 1)
        let periods = try bindingConstraints(sim.get(MisoSimulatorProcess.bindingPath).body).map { $0["Period"] ?? "" }
        XCTAssertEqual(periods.filter { !$0.hasPrefix("2025-01-20T") }, ["2025-01-19T08:10:00"])

        try sim.setFault("binding-bad-price", count: 1)
        let prices = try bindingConstraints(sim.get(MisoSimulatorProcess.bindingPath).body).map { $0["Price"] ?? "" }
        XCTAssertEqual(prices.filter { Double($0) == nil }.count, 1)

        XCTAssertTrue(try bindingConstraints(sim.get(MisoSimulatorProcess.bindingPath).body).allSatisfy { Double($0["Price"] ?? "") != nil })
    }

    // MARK: - Control endpoints

    func testStatsCountRequestsByPathAndResetClearsThem() throws {
        XCTAssertEqual(try sim.stats().requests, 0)
        _ = try sim.get(MisoSimulatorProcess.ctsPath)
        _ = try sim.get(MisoSimulatorProcess.ctsPath, query: [("interval", "00:05")])
        _ = try sim.get(MisoSimulatorProcess.exAntePath)
        let missing = try sim.get("/api/NoSuchFeed")
        XCTAssertEqual(missing.status, 404)
        let stats = try sim.stats()
        XCTAssertEqual(stats.requests, 4)
        XCTAssertEqual(stats.byPath, [MisoSimulatorProcess.ctsPath: 2, MisoSimulatorProcess.exAntePath: 1, "/api/NoSuchFeed": 1])
        try sim.resetStats()
        XCTAssertEqual(try sim.stats().requests, 0)
        XCTAssertEqual(try sim.stats().byPath, [:])
    }

    func testConfigSwitchesShapeAndLatencyAndRejectsUnknownSettings() throws {
        let switched = try sim.configure([("shape", "live"), ("latency_ms", "400")])
        XCTAssertEqual(switched.shape, "live")
        XCTAssertEqual(switched.latencyMilliseconds, 400)
        let started = Date()
        try assertValidLiveCTS(sim.get(MisoSimulatorProcess.ctsPath).body)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.4)

        try sim.configure([("shape", "documented"), ("latency_ms", "0")])
        XCTAssertEqual(try CTSCheck(sim.get(MisoSimulatorProcess.ctsPath).body, expectedDay: today).records.count, 288 * 3)

        try sim.setFault("http-503", count: 4)
        XCTAssertEqual(try sim.stats().fault, "http-503")
        XCTAssertEqual(try sim.stats().faultRemaining, 4)
        _ = try sim.get(MisoSimulatorProcess.ctsPath)
        XCTAssertEqual(try sim.stats().faultRemaining, 3)

        for bad in [[("fault", "meteor-strike")], [("count", "-1")], [("latency_ms", "soon")], [("shape", "round")], [("colour", "red")]] {
            XCTAssertThrowsError(try sim.configure(bad)) { error in
                guard case MisoSimulatorProcessError.controlFailed(_, let status, let body) = error else {
                    return XCTFail("expected controlFailed, got \(error)")
                }
                XCTAssertEqual(status, 400)
                XCTAssertTrue(body.contains("'\(bad[0].1)'") || body.contains("'\(bad[0].0)'"), "the message names the bad input: \(body)")
                XCTAssertTrue(body.contains("use ") || body.contains("give "), "the message names the fix: \(body)")
            }
        }
        let get = try CurlHTTPClient().sendBlocking(HTTPRequest(url: sim.url("/_sim/config", query: [("fault", "none")])))
        XCTAssertEqual(get.status, 405, "changing settings needs POST")
        XCTAssertEqual(try sim.stats().fault, "http-503")
    }

    func testConcurrentRequestsAreAllAnswered() async throws {
        let client = CurlHTTPClient()
        let url = sim.url(MisoSimulatorProcess.ctsPath, query: [("interval", "12:00")])
        let expected = try await client.send(HTTPRequest(url: url)).body
        let mismatches = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<24 {
                group.addTask { (try? await client.send(HTTPRequest(url: url)).body) != expected }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        XCTAssertEqual(mismatches, 0)
        XCTAssertEqual(try sim.stats().requests, 25)
    }

    // MARK: - Checks

    private func jsonObject(_ data: Data) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any], String(decoding: data.prefix(200), as: UTF8.self))
    }

    /// Minutes after midnight of a live `SOLUTIONTIME` like `2025-01-20 8:15:00 AM`, or nil if malformed.
    private func solutionMinutes(_ text: String) -> Int? {
        let parts = text.split(separator: " ")
        guard parts.count == 3, parts[0] == "2025-01-20", parts[2] == "AM" || parts[2] == "PM" else { return nil }
        let clock = parts[1].split(separator: ":").compactMap { Int($0) }
        guard clock.count == 3, (1...12).contains(clock[0]), (0...59).contains(clock[1]), clock[2] == 0 else { return nil }
        return (clock[0] % 12 + (parts[2] == "PM" ? 12 : 0)) * 60 + clock[1]
    }

    private func assertValidLiveCTS(_ body: Data, file: StaticString = #filePath, line: UInt = #line) throws {
        let root = try jsonObject(body)
        XCTAssertEqual(root["RefId"] as? String, "20-Jan-2025 - Interval 08:00 EST", file: file, line: line)
        let entries = try XCTUnwrap(root["Interval"] as? [[String: String]], file: file, line: line)
        XCTAssertEqual(entries.count, 12, file: file, line: line)
        let minutes = entries.compactMap { solutionMinutes($0["SOLUTIONTIME"] ?? "") }
        XCTAssertEqual(minutes, (0..<12).map { 8 * 60 + 15 * $0 }, file: file, line: line)
        XCTAssertTrue(entries.allSatisfy { $0["CASEAPPROVALDATE"] == "2025-01-20 8:04:09 AM" }, file: file, line: line)
        XCTAssertTrue(entries.allSatisfy { Double($0["PJMFORECASTEDLMP"] ?? "") != nil }, file: file, line: line)
    }

    private enum ExAnteProblem: Equatable { case duplicateHub, badRefID, noHubs, badNumber, hourMismatch }

    private func exAnteProblems(_ body: Data) throws -> [ExAnteProblem] {
        let data = try XCTUnwrap(try jsonObject(body)["LMPData"] as? [String: Any])
        let exAnte = try XCTUnwrap(data["ExAnteLMP"] as? [String: Any])
        let hubs = try XCTUnwrap(exAnte["Hub"] as? [[String: String]])
        let refID = data["RefId"] as? String ?? ""
        var problems: [ExAnteProblem] = []
        let names = hubs.compactMap { $0["name"] }
        if Set(names).count != names.count { problems.append(.duplicateHub) }
        let refPattern = "^[0-9]{2}-[A-Z][a-z]{2}-[0-9]{4} - Interval [0-9]{2}:[0-9]{2} EST$"
        if refID.range(of: refPattern, options: .regularExpression) == nil { problems.append(.badRefID) }
        if hubs.isEmpty { problems.append(.noHubs) }
        if hubs.contains(where: { hub in ["LMP", "loss", "congestion"].contains { Double(hub[$0] ?? "") == nil } }) {
            problems.append(.badNumber)
        }
        if let hour = exAnte["HourAndMin"] as? String, !refID.contains("Interval \(hour) EST"), !problems.contains(.badRefID) {
            problems.append(.hourMismatch)
        }
        return problems
    }

    private func bindingConstraints(_ body: Data) throws -> [[String: String]] {
        try XCTUnwrap(try jsonObject(body)["Constraint"] as? [[String: String]])
    }

    private func assertNothingBinding(_ body: Data, file: StaticString = #filePath, line: UInt = #line) throws {
        let constraints = try bindingConstraints(body)
        XCTAssertEqual(constraints.count, 1, file: file, line: line)
        XCTAssertEqual(constraints.first?["Name"], "None", file: file, line: line)
        XCTAssertTrue(constraints.first?.values.allSatisfy { $0 == "None" || $0 == "0" } == true, file: file, line: line)
    }
}

/// The spec's nine CTS validation rules.
enum CTSRule: String, Hashable {
    case structure, arithmetic, interval, lmpDirection, transactionDirection, numeric, volume, quality, operatingDay
}

/// An independent reading of a documented-shape CTS body: which of the spec's rules it breaks.
struct CTSCheck {
    var records: [[String: Any]] = []
    var metadata: [String: Any]?
    var broken: Set<CTSRule> = []
    /// Records breaking at least one per-record rule.
    var offendingRecords = 0

    init(_ body: Data, expectedDay: String) throws {
        guard let root = try JSONSerialization.jsonObject(with: body) as? [String: Any],
              let data = root["data"] as? [[String: Any]] else {
            broken.insert(.structure)
            return
        }
        records = data
        metadata = root["metadata"] as? [String: Any]
        if let metadata {
            if !["FORECAST", "PRELIMINARY", "VALIDATED"].contains(metadata["dataQuality"] as? String ?? "") { broken.insert(.quality) }
            if metadata["operatingDay"] as? String != expectedDay { broken.insert(.operatingDay) }
        } else {
            broken.insert(.structure)
        }
        for record in data {
            var recordBroken: Set<CTSRule> = []
            let lmp = record["forecastedLMP"] as? [String: Any]
            let components = lmp?["components"] as? [String: Any]
            let numbers = ["energy", "congestion", "losses"].map { Self.number(components?[$0]) }
            let total = Self.number(lmp?["total"])
            if numbers.contains(where: { $0 == nil }) || total == nil {
                recordBroken.insert(.numeric)
            } else if abs(total! - numbers.reduce(0) { $0 + $1! }) > 0.0051 {
                recordBroken.insert(.arithmetic)
            }
            let interval = record["interval"] as? String ?? ""
            if interval.range(of: "^([01][0-9]|2[0-3]):[0-5][05]$", options: .regularExpression) == nil { recordBroken.insert(.interval) }
            if !["export", "import", "neutral"].contains(lmp?["direction"] as? String ?? "") { recordBroken.insert(.lmpDirection) }
            let volume = record["transactionVolume"] as? [String: Any]
            if !["MISO_TO_PJM", "PJM_TO_MISO", "BALANCED"].contains(volume?["direction"] as? String ?? "") {
                recordBroken.insert(.transactionDirection)
            }
            if let mwh = Self.number(volume?["mwh"]) { if mwh < 0 { recordBroken.insert(.volume) } } else { recordBroken.insert(.numeric) }
            if !recordBroken.isEmpty { offendingRecords += 1 }
            broken.formUnion(recordBroken)
        }
    }

    /// A JSON number (not a numeric string).
    private static func number(_ value: Any?) -> Double? {
        guard let number = value as? NSNumber, !(value is String) else { return nil }
        return number.doubleValue
    }
}
