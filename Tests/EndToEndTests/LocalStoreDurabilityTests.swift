import Foundation
import TestSupport
import XCTest

/// The local store makes each stored file durable: after the hard link puts it in place, the day
/// folder (and any folder created for it) is fsynced. Read from the system calls of a real run.
final class LocalStoreDurabilityTests: XCTestCase {
    func testTheFolderIsFsyncedAfterTheLinkThatStoresTheFile() throws {
        guard let strace = TestPaths.which("strace") else { throw XCTSkip("strace is not installed (scripts/install-deps.sh installs it)") }
        let sim = try MisoSimulatorProcess()
        defer { sim.stop() }
        let dir = TestPaths.temporaryDirectory("durable")
        defer { try? FileManager.default.removeItem(at: dir) }
        let trace = dir.appendingPathComponent("trace.txt")
        let result = try runCommand(strace, ["-f", "-qq", "-s", "512", "-e", "trace=link,linkat,openat,fsync", "-o", trace.path,
                                             TestPaths.product("scraper"), "run", "miso-cts", "--date", "2025-01-20",
                                             "--api-url", sim.url(MisoSimulatorProcess.ctsPath), "--rate-limit", "0", "--log-format", "json"],
                                    environment: ["PATH": "/usr/bin:/bin", "HOME": dir.path], currentDirectory: dir, timeout: 120)
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = try String(contentsOf: trace, encoding: .utf8).split(separator: "\n").map(String.init)
        let folder = "data/sourcing/miso_coordinated_transaction_scheduling/year=2025/month=01/day=20"
        let linked = try XCTUnwrap(lines.firstIndex { $0.contains("link") && $0.contains("\(folder)/cts_20250120.json.gz\"") && $0.hasSuffix(" = 0") },
                                   "the file is linked into place:\n\(lines.filter { $0.contains("link") }.joined(separator: "\n"))")
        let pid = lines[linked].split(separator: " ").first.map(String.init) ?? ""
        // The same thread then opens the folder and fsyncs that descriptor.
        let opened = try XCTUnwrap(lines[linked...].firstIndex { $0.hasPrefix(pid + " ") && $0.contains("openat(") && $0.contains("\(folder)\"")
                                                                 && $0.contains("O_DIRECTORY") },
                                   "the folder is opened after the link:\n\(lines[linked...].prefix(20).joined(separator: "\n"))")
        let fd = try XCTUnwrap(lines[opened].split(separator: "=").last.map { $0.trimmingCharacters(in: .whitespaces) })
        XCTAssertNotNil(lines[opened...].first { $0.hasPrefix(pid + " ") && $0.contains("fsync(\(fd))") && $0.hasSuffix(" = 0") },
                        "fsync(\(fd)) of the folder:\n\(lines[opened...].prefix(10).joined(separator: "\n"))")
        // The folders created for the day (year=, month=, day=) are made durable in their parents too.
        XCTAssertTrue(lines[linked...].contains { $0.contains("openat(") && $0.contains("data/sourcing/miso_coordinated_transaction_scheduling/year=2025\"") && $0.contains("O_DIRECTORY") })
    }
}
