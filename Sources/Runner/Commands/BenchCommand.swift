import ArgumentParser
import CollectionFramework
import Collectors
import Foundation

/// `scraper bench`: the performance benchmark (see README, "Performance"). Wiring only: the
/// measurements live in `CollectionFramework/Benchmark`.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the pipeline against its baselines and print a table of MB/s and ratios.",
        discussion: """
        Generates a documented-shape CTS payload deterministically (300 nodes x 288 intervals is about 25 MB),
        times zlib, SHA-256 and a JSON parse alone, each stage, and validate + SHA-256 + gzip + local store
        through the pipeline; measures peak memory in a child process, start-up time, and a backfill against
        miso-sim run serially and concurrently. Build with `swift build -c release` for meaningful figures.
        """
    )

    @Option(help: "Interface nodes in the payload.")
    var nodes = 300
    @Option(help: "Five-minute intervals in the payload (1-288).")
    var intervals = 288
    @Option(help: "Seed of the payload's numbers.")
    var seed: UInt64 = 1
    @Option(name: .customLong("gzip-level"), help: "zlib level 0-9 for both the baseline and the pipeline.")
    var gzipLevel = Gzip.defaultLevel
    @Option(help: "Each time is the best of this many runs.")
    var repetitions = 3
    @Option(name: .customLong("backfill-days"), help: "Days in the backfill comparison (0 skips it).")
    var backfillDays = 30
    @Option(name: .customLong("latency-ms"), help: "Latency miso-sim adds to each response in the backfill comparison.")
    var latencyMs = 300
    @Option(help: "Concurrency of the concurrent backfill.")
    var concurrency = 4
    @Option(help: "The miso-sim executable (default: next to this scraper).")
    var simulator: String?
    @Flag(name: .customLong("skip-children"), help: "Only the in-process measurements (no memory probe, start-up or backfill).")
    var skipChildren = false
    @Flag(name: .customLong("memory-probe"), help: .hidden)
    var memoryProbe = false
    @Option(help: "Run one stage once and print nothing else, for a profiler: zlib, sha256, parse, validate, gzip or pipeline.")
    var only: String?

    func validate() throws {
        guard nodes >= 1, (1...288).contains(intervals) else { throw ValidationError("--nodes must be at least 1 and --intervals 1-288") }
        guard (0...9).contains(gzipLevel) else { throw ValidationError("--gzip-level must be 0-9, not \(gzipLevel)") }
        guard repetitions >= 1, backfillDays >= 0, latencyMs >= 0, (1...256).contains(concurrency) else {
            throw ValidationError("--repetitions, --concurrency must be positive; --backfill-days, --latency-ms not negative")
        }
    }

    func run() throws {
        let validator = try MisoCTSCollector(configuration: CollectorConfiguration(name: "miso-cts"))
        do {
            if let only {
                try PipelineBenchmark(payload: payload(), validator: validator, gzipLevel: gzipLevel).runOnce(stage: only)
                return
            }
            if memoryProbe {
                let probe = try MemoryProbe.measure(makePayload: payload) { body in
                    try PipelineBenchmark(payload: body, validator: validator, gzipLevel: gzipLevel).processOnce()
                }
                printLine(probe.line)
                return
            }
            let body = payload()
            printLine("payload: \(nodes) nodes x \(intervals) intervals, \(body.count) bytes, seed \(seed), gzip level \(gzipLevel)")
            var rows = try PipelineBenchmark(payload: body, validator: validator, gzipLevel: gzipLevel, repetitions: repetitions).run()
            if !skipChildren {
                let me = BenchmarkChild.currentExecutable
                let probe = try BenchmarkChild.run(me, ["bench", "--memory-probe", "--nodes", String(nodes), "--intervals", String(intervals),
                                                        "--seed", String(seed), "--gzip-level", String(gzipLevel)])
                guard let memory = MemoryProbe(line: probe.stdout) else {
                    throw BenchmarkError.childFailed("the memory probe printed no result (exit \(probe.status)): \(probe.stderr.suffix(500))")
                }
                rows.append(memory.row)
                rows += try StartupBenchmark(scraperPath: me).run()
                if backfillDays > 0 {
                    let sim = simulator ?? URL(fileURLWithPath: me).deletingLastPathComponent().appendingPathComponent("miso-sim").path
                    rows += try BackfillBenchmark(scraperPath: me, simulatorPath: sim, days: backfillDays,
                                                  latencyMilliseconds: latencyMs, concurrency: concurrency).run()
                }
            }
            printLine(BenchmarkTable.markdown(rows))
            let missed = rows.filter { $0.meetsTarget == false }
            printLine(missed.isEmpty ? "all targets met" : "targets missed: " + missed.map(\.name).joined(separator: "; "))
        } catch let error as BenchmarkError {
            throw Exit.fail("\(error)", Exit.failures)
        }
    }

    private func payload() -> Data {
        BenchmarkPayload.documentedCTS(nodes: nodes, intervals: intervals, seed: seed)
    }
}
