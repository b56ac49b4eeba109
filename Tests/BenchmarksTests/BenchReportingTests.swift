import Benchmarks
import CollectionFramework
import XCTest

/// The benchmark's reporting pieces: table, memory readings, probe lines, result comparison.
final class BenchReportingTests: XCTestCase {
    func testTableShowsThroughputRatiosAndWhetherEachTargetIsMet() {
        let rows = [
            BenchmarkRow(group: "baseline", name: "zlib", bytes: 25_000_000, seconds: 0.25, ratio: 1, ratioReference: "zlib"),
            BenchmarkRow(group: "pipeline", name: "whole", bytes: 25_000_000, seconds: 0.30, ratio: 1.2, ratioReference: "zlib", ratioLimit: 1.5),
            BenchmarkRow(group: "pipeline", name: "slow", bytes: 25_000_000, seconds: 0.50, ratio: 2, ratioReference: "zlib", ratioLimit: 1.5),
        ]
        let lines = BenchmarkTable.markdown(rows).split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 5)
        XCTAssertEqual(lines[0], "| group | measurement | MB | seconds | MB/s | ratio | target | met |")
        XCTAssertEqual(lines[2], "| baseline | zlib | 25.0 | 0.250 | 100 | 1.00x of zlib |  |  |")
        XCTAssertTrue(lines[3].hasSuffix("| 1.20x of zlib | ≤ 1.50x | yes |"), lines[3])
        XCTAssertTrue(lines[4].hasSuffix("| 2.00x of zlib | ≤ 1.50x | NO |"), lines[4])
        XCTAssertEqual(rows.map(\.meetsTarget), [nil, true, false])
        XCTAssertNil(BenchmarkRow(group: "startup", name: "help", seconds: 0.1).megabytesPerSecond)
    }

    func testProcessMemoryReadsKilobyteFields() throws {
        let status = "Name:\tscraper\nVmHWM:\t   2048 kB\nVmRSS:\t    1024 kB\n"
        XCTAssertEqual(ProcessMemory.parse(status, field: "VmHWM:"), 2048 * 1024)
        XCTAssertEqual(ProcessMemory.parse(status, field: "VmRSS:"), 1024 * 1024)
        XCTAssertNil(ProcessMemory.parse(status, field: "VmSwap:"))
        let resident = try XCTUnwrap(ProcessMemory.residentBytes)
        XCTAssertGreaterThan(resident, 1 << 20)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(ProcessMemory.peakResidentBytes), resident)
    }

    func testMemoryProbeLineRoundTripsAndTheProbeSeesTheAllocation() async throws {
        let probe = MemoryProbe(idleBytes: 10_000_000, peakBytes: 70_000_000, payloadBytes: 25_000_000)
        XCTAssertEqual(MemoryProbe(line: "noise\n" + probe.line + "\n"), probe)
        XCTAssertEqual(probe.ratio, 2.4, accuracy: 1e-9)
        XCTAssertEqual(probe.row.meetsTarget, true)
        XCTAssertNil(MemoryProbe(line: "memory-probe idle=1 peak=2"))

        // 64 MB touched inside `process` must show in the peak.
        let measured = try await MemoryProbe.measure(makePayload: { Data(count: 1000) }) { _ in
            var block = [UInt8](repeating: 1, count: 64 << 20)
            block[block.count - 1] = 2
            XCTAssertEqual(block.last, 2)
        }
        XCTAssertGreaterThanOrEqual(measured.peakBytes - measured.idleBytes, 60 << 20)
    }

    func testStoredObjectsComparisonFindsMissingAndChangedFiles() throws {
        let a = TestDirectory(), b = TestDirectory()
        defer { a.remove(); b.remove() }
        try a.write("x/1.gz", "one"); try a.write("x/2.gz", "two")
        try b.write("x/1.gz", "one"); try b.write("x/2.gz", "two")
        XCTAssertNil(try StoredObjects(root: a.url).difference(from: StoredObjects(root: b.url)))
        try b.write("x/2.gz", "TWO")
        XCTAssertEqual(try StoredObjects(root: a.url).difference(from: StoredObjects(root: b.url)), "x/2.gz differs")
        try b.write("x/3.gz", "three")
        XCTAssertEqual(try StoredObjects(root: a.url).difference(from: StoredObjects(root: b.url)), "only in one run: x/3.gz")
    }

    func testStageClockTakesTheBestRepetition() {
        var calls: [Int] = []
        var slowest = Double.infinity
        let best = StageClock.best(of: 3) { repetition in
            calls.append(repetition)
            let started = Date()
            if repetition != 1 { usleep(30_000) }
            if repetition != 1 { slowest = min(slowest, Date().timeIntervalSince(started)) }
        }
        XCTAssertEqual(calls, [0, 1, 2])
        // A ratio in the same run: the reported time is well below the quickest of the slow repetitions.
        XCTAssertLessThan(best, slowest / 2, "the fast middle repetition is the one reported")
    }

    func testStageClockTakesTheBestAwaitedRepetition() async throws {
        var calls: [Int] = []
        let best = try await StageClock.bestAwaiting(of: 3) { repetition in
            calls.append(repetition)
            if repetition != 1 { try await Task.sleep(for: .milliseconds(30)) }
        }
        XCTAssertEqual(calls, [0, 1, 2])
        XCTAssertLessThan(best, 0.025, "the fast middle repetition is the one reported")
    }

    func testAChildIsTimedAndItsOutputAndStatusAreCaptured() async throws {
        let child = try await BenchmarkChild.run("/bin/sh", ["-c", "echo out; echo err >&2; sleep 0.2; exit 3"])
        XCTAssertEqual(child.status, 3)
        XCTAssertEqual(child.stdout, "out\n")
        XCTAssertEqual(child.stderr, "err\n")
        XCTAssertGreaterThanOrEqual(child.seconds, 0.2)
        XCTAssertLessThan(child.seconds, 10)
        do {
            _ = try await BenchmarkChild.run("/nonexistent/scraper", [])
            XCTFail("a missing executable is an error")
        } catch BenchmarkError.toolMissing(let message) {
            XCTAssertTrue(message.contains("/nonexistent/scraper"), message)
        }
    }
}

/// A temporary folder with helpers to write files into it.
struct TestDirectory {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("scraper-benchtest-\(UUID().uuidString)")

    func write(_ path: String, _ text: String) throws {
        let file = url.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

extension BenchReportingTests {
    func testResettingThePeakBringsItBackToTheCurrentResidentSet() throws {
        var block = [UInt8](repeating: 1, count: 48 << 20)
        block[0] = 0
        XCTAssertEqual(block[0], 0)
        block = []
        guard ProcessMemory.resetPeak() else { throw XCTSkip("/proc/self/clear_refs is not writable here") }
        let peak = try XCTUnwrap(ProcessMemory.peakResidentBytes), resident = try XCTUnwrap(ProcessMemory.residentBytes)
        XCTAssertLessThan(peak - resident, 40 << 20, "the 48 MB block no longer counts in the peak")
    }
}
