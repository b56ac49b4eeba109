import CollectionFramework
import Foundation
import TestSupport
import XCTest

/// `scraper schedule status` and `scraper schedule reset` through the built binary, over a collectors.yaml
/// with schedules and a serve state file written the way serve writes it.
final class ScheduleCommandTests: XCTestCase {
    var scraper: ScraperInvocation!
    var statePath: String { scraper.directory.appendingPathComponent("data/serve-state.dev.json").path }

    override func setUpWithError() throws {
        scraper = ScraperInvocation()
        try scraper.writeConfig("""
        defaults:
          storage: {type: local, path: \(scraper.directory.path)/data}
          registry: {type: embedded, path: \(scraper.directory.path)/data/registry.sqlite3}
        collectors:
          hourly:
            type: miso.cts
            schedule: "0 * * * *"
          yearly:
            type: miso.cts
            schedule: "0 0 1 1 *"
          fresh:
            type: miso.cts
            schedule: "*/15 * * * *"
          off:
            type: miso.cts
            enabled: false
        """)
    }

    override func tearDown() {
        if let directory = scraper?.directory { try? FileManager.default.removeItem(at: directory) }
    }

    private func iso(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    private func status() throws -> [String: JSONObject] {
        let result = try scraper.run(["schedule", "status", "--format", "json"])
        XCTAssertEqual(result.status, 0, result.transcript)
        var rows: [String: JSONObject] = [:]
        for line in result.stdout.split(separator: "\n") {
            guard case .object(let row) = try JSONValue.parse(Data(line.utf8)), let name = row["collector"]?.stringValue else {
                XCTFail("not a row: \(line)"); continue
            }
            rows[name] = row
        }
        return rows
    }

    func testStatusShowsNextAndLastRunsAndResetForgetsOne() throws {
        // hourly last finished two hours ago (so its next slot has passed: serve catches up at start) and failed;
        // yearly finished a minute ago and succeeded; fresh never ran.
        let now = Date()
        let state = ScheduleState(path: statePath)
        try state.record("hourly", .init(lastStarted: now.addingTimeInterval(-7205), lastFinished: now.addingTimeInterval(-7200), lastSucceeded: false))
        try state.record("yearly", .init(lastStarted: now.addingTimeInterval(-65), lastFinished: now.addingTimeInterval(-60), lastSucceeded: true))

        let before = Date()
        let rows = try status()
        let after = Date()
        XCTAssertEqual(Set(rows.keys), ["hourly", "yearly", "fresh"], "enabled collectors only")

        let hourly = try XCTUnwrap(rows["hourly"])
        XCTAssertEqual(hourly["schedule"]?.stringValue, "0 * * * *")
        XCTAssertEqual(hourly["next_run"]?.stringValue, "at start", "the slot after its last run has passed")
        XCTAssertEqual(hourly["last_outcome"]?.stringValue, "failed")
        XCTAssertEqual(hourly["last_finished"]?.stringValue, iso(now.addingTimeInterval(-7200)))
        XCTAssertEqual(hourly["last_started"]?.stringValue, iso(now.addingTimeInterval(-7205)))

        let yearly = try XCTUnwrap(rows["yearly"])
        let cron = try CronExpression("0 0 1 1 *")
        let expected = [before, after].compactMap { cron.next(after: $0) }.map(iso)
        XCTAssertTrue(expected.contains(yearly["next_run"]?.stringValue ?? ""), "\(yearly) vs \(expected)")
        XCTAssertEqual(yearly["last_outcome"]?.stringValue, "succeeded")

        let fresh = try XCTUnwrap(rows["fresh"])
        XCTAssertEqual(fresh["last_outcome"]?.stringValue, "never")
        XCTAssertEqual(fresh["last_finished"], .null)
        let quarter = [before, after].compactMap { try? CronExpression("*/15 * * * *").next(after: $0) }.map(iso)
        XCTAssertTrue(quarter.contains(fresh["next_run"]?.stringValue ?? ""), "\(fresh) vs \(quarter)")

        let table = try scraper.run(["schedule", "status"])
        XCTAssertEqual(table.status, 0, table.transcript)
        let lines = table.stdout.split(separator: "\n")
        XCTAssertTrue(lines[0].hasPrefix("COLLECTOR") && lines[0].hasSuffix("OUTCOME"), table.stdout)
        XCTAssertTrue(lines.contains { $0.hasPrefix("hourly ") && $0.contains("at start") && $0.hasSuffix("failed") }, table.stdout)
        XCTAssertEqual(lines.last.map(String.init), "state file: \(statePath)")

        // reset forgets hourly's last run: it now waits for its next slot, and the others are untouched.
        let reset = try scraper.run(["schedule", "reset", "hourly"])
        XCTAssertEqual(reset.status, 0, reset.transcript)
        XCTAssertEqual(reset.stdout, "reset hourly in \(statePath)\n")
        XCTAssertNil(ScheduleState(path: statePath).entry(for: "hourly"))
        XCTAssertNotNil(ScheduleState(path: statePath).entry(for: "yearly"))
        let afterReset = try status()
        XCTAssertEqual(afterReset["hourly"]?["last_outcome"]?.stringValue, "never")
        XCTAssertNotEqual(afterReset["hourly"]?["next_run"]?.stringValue, "at start")
        XCTAssertEqual(afterReset["yearly"]?["last_outcome"]?.stringValue, "succeeded")

        let again = try scraper.run(["schedule", "reset", "hourly"])
        XCTAssertEqual(again.status, 1, again.transcript)
        XCTAssertEqual(again.stdout, "no entry for hourly in \(statePath)\n")
    }

    func testStateFileFlagAndAnUnreadableFile() throws {
        let other = scraper.directory.appendingPathComponent("elsewhere.json").path
        try Data("not json".utf8).write(to: URL(fileURLWithPath: other))
        let status = try scraper.run(["schedule", "status", "--state-file", other, "--format", "json"])
        XCTAssertEqual(status.status, 0, status.transcript)
        XCTAssertTrue(status.stderr.contains("cannot read the schedule state \(other)"), status.transcript)
        XCTAssertEqual(status.stdout.split(separator: "\n").count, 3)
        let reset = try scraper.run(["schedule", "reset", "hourly", "--state-file", other])
        XCTAssertEqual(reset.status, 1, reset.transcript)
        XCTAssertEqual(try String(contentsOfFile: other, encoding: .utf8), "not json", "an unreadable file is left as it is")
    }
}
