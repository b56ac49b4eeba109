import CollectionFramework
import Foundation
import TestSupport
import XCTest

/// The command line itself through the built binary: `--version` and how help text wraps.
final class CommandLineTests: XCTestCase {
    var scraper: ScraperInvocation!

    override func setUp() {
        scraper = ScraperInvocation()
    }

    override func tearDown() {
        if let directory = scraper?.directory { try? FileManager.default.removeItem(at: directory) }
    }

    func testVersionPrintsTheFrameworkVersionTheCheckoutsCommitAndTheExecutablesModificationTime() throws {
        let result = try scraper.run(["--version"])
        XCTAssertEqual(result.status, 0, result.transcript)
        let executable = URL(fileURLWithPath: TestPaths.product("scraper")).resolvingSymlinksInPath()
        // What the binary should have found: git asked in the executable's folder (unknown outside a checkout) …
        let git = try runCommand("/usr/bin/env", ["git", "-C", executable.deletingLastPathComponent().path, "rev-parse", "--short", "HEAD"])
        let commit = git.status == 0 ? git.stdout.trimmingCharacters(in: .whitespacesAndNewlines) : "unknown"
        // … and the file's modification time.
        let modified = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: executable.path)[.modificationDate] as? Date)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        XCTAssertEqual(result.stdout, "scraper \(FrameworkVersion.current)\ncommit: \(commit)\nbuilt: \(formatter.string(from: modified))\n")
        XCTAssertEqual(result.stderr, "")
        // Inside this repository's build folder the commit is a real one.
        if executable.path.hasPrefix(TestPaths.packageRoot.path) { XCTAssertNotEqual(commit, "unknown", git.stderr) }
    }

    func testTheHelpSaysWhatEachVersionFieldIs() throws {
        let help = try runHelp([], columns: 400)
        XCTAssertTrue(help.contains("--version"), help)
        XCTAssertTrue(help.contains("`git rev-parse --short HEAD` of the git checkout the executable sits in"), help)
        XCTAssertTrue(help.contains("the build date, which is the executable's modification time in UTC"), help)
    }

    /// ArgumentParser wraps help text to the terminal width (the `COLUMNS` variable when set): a line
    /// break written into a discussion would cut a sentence wherever the width puts it.
    func testDiscussionsWrapToTheTerminalWidthWithoutHardBreaksInsideParagraphs() throws {
        let sentences: [([String], String)] = [
            (["serve"], "After downtime a missed schedule runs once at start, not once per missed slot (last runs are kept in the state file)."),
            (["serve"], "SIGTERM or SIGINT: /readyz turns 503, running collectors finish their current candidates, then the process exits 0."),
            (["run"], "Environment variables (below flags, above collectors.yaml): S3_BUCKET, REDIS_HOST, REDIS_PORT, REDIS_PASSWORD, AWS_PROFILE, KAFKA_CONNECTION_STRING."),
            ([], "Exit codes: 0 everything succeeded; 1 a candidate failed or the run was interrupted; 64 a bad argument or configuration value; 69 a backend (registry, store) is unavailable."),
            (["config", "check"], "the exit code is then 64."),
            (["bench"], "Build with `swift build -c release` for meaningful figures."),
        ]
        for (command, sentence) in sentences {
            let wide = try runHelp(command, columns: 400)
            XCTAssertTrue(wide.split(separator: "\n").contains { $0.contains(sentence) }, "\(command): one line at 400 columns:\n\(wide)")
        }
        // Narrow: every line fits (but the usage line, which ArgumentParser never wraps), and the
        // paragraph still reads in order when the lines are joined.
        let narrow = try runHelp(["serve"], columns: 60)
        for line in narrow.split(separator: "\n") where !line.hasPrefix("USAGE:") {
            XCTAssertLessThanOrEqual(line.count, 60, "wrapped at 60 columns: \(line)\n\(narrow)")
        }
        let joined = narrow.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        XCTAssertTrue(joined.contains(sentences[0].1), narrow)
    }

    private func runHelp(_ command: [String], columns: Int) throws -> String {
        var invocation = scraper!
        invocation.environment["COLUMNS"] = String(columns)
        let result = try invocation.run(command + ["--help"])
        XCTAssertEqual(result.status, 0, result.transcript)
        return result.stdout
    }
}
