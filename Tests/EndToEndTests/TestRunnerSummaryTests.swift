import Foundation
import TestSupport
import XCTest

/// scripts/test-summary.sh, the closing line of scripts/test.sh, on XCTest output written for the purpose:
/// skips are counted apart from passes, a test failing several assertions counts once, and with CI=true a
/// skip fails the run unless the allow-list names the test.
final class TestRunnerSummaryTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = TestPaths.temporaryDirectory("summary")
    }

    override func tearDown() {
        if let dir { try? FileManager.default.removeItem(at: dir) }
    }

    private func summarize(_ log: String, ci: Bool, allowList: String = "") throws -> CommandResult {
        let logURL = dir.appendingPathComponent("log"), allowURL = dir.appendingPathComponent("allow.txt")
        try log.write(to: logURL, atomically: true, encoding: .utf8)
        try allowList.write(to: allowURL, atomically: true, encoding: .utf8)
        var env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "SKIP_ALLOWLIST": allowURL.path]
        if ci { env["CI"] = "true" }
        return try runCommand("/bin/bash", [TestPaths.packageRoot.appendingPathComponent("scripts/test-summary.sh").path, logURL.path],
                              environment: env, timeout: 30)
    }

    private let skipping = """
    Test Suite 'All tests' started at 2026-01-01 00:00:00.000
    Test Suite 'A' started at 2026-01-01 00:00:00.000
    Test Case 'A.testOne' started at 2026-01-01 00:00:00.000
    Test Case 'A.testOne' passed (0.001 seconds)
    Test Case 'A.testTwo' started at 2026-01-01 00:00:00.000
    Test Case 'A.testTwo' passed (0.001 seconds)
    Test Suite 'A' passed at 2026-01-01 00:00:00.002
    \t Executed 2 tests, with 0 failures (0 unexpected) in 0.002 (0.002) seconds
    Test Suite 'B' started at 2026-01-01 00:00:00.002
    Test Case 'B.testSkips' started at 2026-01-01 00:00:00.002
    /x/B.swift:9: B.testSkips : Test skipped - the tool is missing
    Test Case 'B.testSkips' skipped (0.000 seconds)
    Test Suite 'B' passed at 2026-01-01 00:00:00.003
    \t Executed 1 test, with 1 test skipped and 0 failures (0 unexpected) in 0.001 (0.001) seconds
    Test Suite 'All tests' passed at 2026-01-01 00:00:00.003
    \t Executed 3 tests, with 1 test skipped and 0 failures (0 unexpected) in 0.003 (0.003) seconds

    """

    func testASkipIsCountedApartAndFailsCIUnlessAllowListed() throws {
        let local = try summarize(skipping, ci: false)
        XCTAssertEqual(local.status, 0, local.stdout)
        XCTAssertTrue(local.stdout.hasPrefix("2 passed, 0 failed, 1 skipped\n"), local.stdout)
        XCTAssertTrue(local.stdout.contains("skipped: B/testSkips"), local.stdout)

        let ci = try summarize(skipping, ci: true)
        XCTAssertEqual(ci.status, 1, "a skip not on the allow-list fails CI: \(ci.stdout)")
        XCTAssertTrue(ci.stdout.contains("not on the skip allow-list"), ci.stdout)

        let allowed = try summarize(skipping, ci: true, allowList: "# comment\nB/testSkips  the tool cannot exist here\n")
        XCTAssertEqual(allowed.status, 0, allowed.stdout)
        XCTAssertTrue(allowed.stdout.contains("skipped: B/testSkips (allowed: the tool cannot exist here)"), allowed.stdout)
    }

    func testFailuresCountOncePerTestAndFailTheRun() throws {
        let failing = skipping
            .replacingOccurrences(of: "Test Case 'A.testTwo' passed (0.001 seconds)", with: """
            /x/A.swift:3: error: A.testTwo : XCTAssertEqual failed
            /x/A.swift:4: error: A.testTwo : XCTAssertTrue failed
            Test Case 'A.testTwo' failed (0.001 seconds)
            """)
            .replacingOccurrences(of: "with 1 test skipped and 0 failures (0 unexpected) in 0.003", with: "with 1 test skipped and 2 failures (0 unexpected) in 0.003")
        let result = try summarize(failing, ci: false)
        XCTAssertEqual(result.status, 1, result.stdout)
        XCTAssertTrue(result.stdout.hasPrefix("1 passed, 1 failed, 1 skipped\n"), result.stdout)
        XCTAssertTrue(result.stdout.contains("failed:  A/testTwo"), result.stdout)
    }

    func testNoTotalsLineMeansTheRunDidNotFinish() throws {
        let crashed = try summarize("Test Suite 'All tests' started at 2026-01-01\nTest Case 'A.testOne' started at 2026-01-01\n", ci: false)
        XCTAssertEqual(crashed.status, 1, crashed.stdout)
        XCTAssertTrue(crashed.stdout.contains("did not finish"), crashed.stdout)
    }

    func testTheCheckedInAllowListHasAReasonOnEveryEntry() throws {
        let text = try String(contentsOf: TestPaths.packageRoot.appendingPathComponent("Tests/skip-allowlist.txt"), encoding: .utf8)
        let entries = text.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        XCTAssertLessThanOrEqual(entries.count, 3, "keep the allow-list short")
        for entry in entries {
            XCTAssertNotNil(entry.range(of: #"^[A-Za-z0-9_]+/test[A-Za-z0-9_]+\s+\S.{10,}$"#, options: .regularExpression),
                            "`Class/testName  reason`: \(entry)")
        }
    }
}
