import BlockingIO
import CollectionFramework
import Foundation

/// A backfill over the simulator, run serially and concurrently as two `scraper run` processes,
/// timed side by side, with their stored objects compared byte for byte.
///
/// The simulator (`miso-sim`) is started on a free loopback port with added latency, so the
/// backfill is bound by waiting on the server, which is what concurrency is for.
///
/// ```swift
/// let rows = try await BackfillBenchmark(scraperPath: exe, simulatorPath: sim).run()
/// ```
package struct BackfillBenchmark {
    package var scraperPath: String
    package var simulatorPath: String
    package var days: Int
    package var latencyMilliseconds: Int
    package var nodes: Int
    package var concurrency: Int
    /// Largest accepted concurrent time over serial time.
    package static let ratioLimit = 1.0 / 3.0

    package init(scraperPath: String, simulatorPath: String, days: Int = 30, latencyMilliseconds: Int = 300,
                nodes: Int = 3, concurrency: Int = 4) {
        self.scraperPath = scraperPath
        self.simulatorPath = simulatorPath
        self.days = max(1, days)
        self.latencyMilliseconds = max(0, latencyMilliseconds)
        self.nodes = max(1, nodes)
        self.concurrency = max(1, concurrency)
    }

    /// The backfill's first day; it runs `days` days from there, up to the day before the simulator's "today".
    static let firstDay = CalendarDate(year: 2024, month: 12, day: 1)!

    var lastDay: CalendarDate {
        var day = Self.firstDay
        for _ in 1..<days { day = day.next }
        return day
    }

    package func run() async throws -> [BenchmarkRow] {
        guard FileManager.default.isExecutableFile(atPath: simulatorPath) else {
            throw BenchmarkError.toolMissing("miso-sim not found at \(simulatorPath): build it (`swift build -c release --product miso-sim`) or pass --simulator PATH")
        }
        let simulator = try await SimulatorChild.start(path: simulatorPath, arguments: [
            "--today", lastDay.next.description, "--nodes", String(nodes), "--latency-ms", String(latencyMilliseconds)])
        let workspace = try BenchmarkWorkspace()
        defer { workspace.remove() }
        let serial: Double, parallel: Double
        do {
            serial = try await backfill(concurrency: 1, in: workspace.url.appendingPathComponent("serial"), api: simulator.ctsURL)
            parallel = try await backfill(concurrency: concurrency, in: workspace.url.appendingPathComponent("concurrent"), api: simulator.ctsURL)
        } catch {
            await simulator.stop()
            throw error
        }
        await simulator.stop()
        let serialObjects = try StoredObjects(root: workspace.url.appendingPathComponent("serial/data/sourcing"))
        let parallelObjects = try StoredObjects(root: workspace.url.appendingPathComponent("concurrent/data/sourcing"))
        guard serialObjects.files.count == days else {
            throw BenchmarkError.resultsDiffer("the serial backfill stored \(serialObjects.files.count) objects for \(days) days")
        }
        if let difference = serialObjects.difference(from: parallelObjects) { throw BenchmarkError.resultsDiffer(difference) }
        let label = "\(days)-day backfill, \(latencyMilliseconds) ms latency, no rate limit"
        return [
            BenchmarkRow(group: "backfill", name: "\(label), --concurrency 1", seconds: serial),
            BenchmarkRow(group: "backfill", name: "\(label), --concurrency \(concurrency) (\(days) identical objects)", seconds: parallel,
                         ratio: parallel / serial, ratioReference: "concurrency 1", ratioLimit: Self.ratioLimit),
        ]
    }

    /// Runs one `scraper run miso-cts` backfill in `directory` and returns its wall-clock seconds.
    private func backfill(concurrency: Int, in directory: URL, api: String) async throws -> Double {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let child = try await BenchmarkChild.run(scraperPath, [
            "run", "miso-cts", "--api-url", api, "--start-date", Self.firstDay.description, "--end-date", lastDay.description,
            "--rate-limit", "0", "--concurrency", String(concurrency), "--log-format", "json", "--log-level", "WARNING",
        ], directory: directory, environment: ["PATH": "/usr/bin:/bin", "HOME": directory.path])
        guard child.status == 0 else {
            throw BenchmarkError.childFailed("scraper run --concurrency \(concurrency) exited \(child.status): \(child.stderr.suffix(800))")
        }
        return child.seconds
    }
}

/// Every file under a folder, by relative path, with its bytes.
package struct StoredObjects {
    package var files: [String: Data] = [:]

    package init(root: URL) throws {
        let rootPath = root.standardizedFileURL.path + "/"
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return }
        for case let url as URL in walker {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            let path = url.standardizedFileURL.path
            files[path.hasPrefix(rootPath) ? String(path.dropFirst(rootPath.count)) : path] = try Data(contentsOf: url)
        }
    }

    /// A description of the first difference, or nil when both hold the same files with the same bytes.
    package func difference(from other: StoredObjects) -> String? {
        let mine = Set(files.keys), theirs = Set(other.files.keys)
        if mine != theirs {
            return "only in one run: \(mine.symmetricDifference(theirs).sorted().prefix(5).joined(separator: ", "))"
        }
        for key in mine.sorted() where files[key] != other.files[key] { return "\(key) differs" }
        return nil
    }
}

/// `miso-sim` started on a free loopback port (it binds port 0 and prints the port it got).
final class SimulatorChild {
    private let process: Process
    private let exit: ChildExit
    let baseURL: String

    var ctsURL: String { baseURL + "/api/CoordinatedTransactionScheduling" }

    private init(process: Process, exit: ChildExit, baseURL: String) {
        self.process = process
        self.exit = exit
        self.baseURL = baseURL
    }

    /// Starts `miso-sim` and waits (at most `timeout` seconds) for its listening line.
    static func start(path: String, arguments: [String], timeout: Double = 20) async throws -> SimulatorChild {
        let process = Process()
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["--host", "127.0.0.1", "--port", "0"] + arguments
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let exit = ChildExit(process)
        try ProcessLaunch.run(process)
        let pid = process.processIdentifier
        // Reading the pipe blocks, so it happens on the blocking pool; a watchdog ends a silent
        // child, which closes the pipe and ends the read.
        let watchdog = Task {
            try await Task.sleep(for: .seconds(timeout))
            kill(pid, SIGTERM)
        }
        let reader = output.fileHandleForReading
        let text = try await BlockingIOPool.shared.run { () -> String in
            var text = ""
            while !text.contains("\n") {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                text += String(decoding: chunk, as: UTF8.self)
            }
            return text
        }
        watchdog.cancel()
        let prefix = "miso-sim listening on "
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) else {
            if process.isRunning { process.terminate() }
            _ = try? await exit.value
            throw BenchmarkError.childFailed(text.isEmpty ? "miso-sim did not print its listening line within \(timeout) s"
                                                          : "miso-sim printed \(text.prefix(200)) instead of its listening line")
        }
        return SimulatorChild(process: process, exit: exit, baseURL: String(line.dropFirst(prefix.count)))
    }

    /// Stops the simulator and waits for it to exit.
    func stop() async {
        if !exit.hasExited { process.terminate() }
        _ = try? await exit.value
    }
}
