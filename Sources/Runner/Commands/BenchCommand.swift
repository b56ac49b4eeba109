import ArgumentParser
import Benchmarks
import CollectionFramework
import Collectors
import Foundation

/// `scraper bench`: the performance benchmark (see README, "Performance"). Wiring only: the
/// measurements live in the `Benchmarks` target.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the pipeline against its baselines and print a table of MB/s and ratios.",
        discussion: """
        Generates a documented-shape CTS payload deterministically (300 nodes x 288 intervals is about 25 MB), \
        times zlib, SHA-256 and a JSON parse alone, each stage, and validate + SHA-256 + gzip + local store \
        through the pipeline; downloads a payload over a throttled loopback link alone and through the pipeline \
        (streaming rows); measures peak memory in a child process, start-up time, and a backfill against \
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
    @Option(name: .customLong("stream-mb-per-second"),
            help: "Rate of the throttled loopback link in the streaming rows, in MB/s (0 skips them).")
    var streamMegabytesPerSecond = StreamingBenchmark.defaultMegabytesPerSecond
    @Option(name: .customLong("stream-nodes"), help: "Interface nodes in the streaming rows' payload (325 is about 25 MB).")
    var streamNodes = StreamingBenchmark.defaultNodes
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
        if let only, !["zlib", "sha256", "parse", "validate", "gzip", "pipeline"].contains(only) {
            throw ValidationError("unknown stage \(only); use one of zlib, sha256, parse, validate, gzip, pipeline")
        }
        guard streamMegabytesPerSecond >= 0, streamMegabytesPerSecond.isFinite, streamNodes >= 1 else {
            throw ValidationError("--stream-mb-per-second must be 0 (skip) or positive, --stream-nodes at least 1")
        }
    }

    func run() async throws {
        let validator = try MisoCTSCollector(configuration: CollectorConfiguration(name: "miso-cts"))
        do {
            if let only {
                try await PipelineBenchmark(payload: payload(), validator: validator, gzipLevel: gzipLevel).runOnce(stage: only)
                return
            }
            if memoryProbe {
                let probe = try await MemoryProbe.measure(makePayload: payload) { body in
                    try await PipelineBenchmark(payload: body, validator: validator, gzipLevel: gzipLevel).processOnce()
                }
                printLine(probe.line)
                return
            }
            let body = payload()
            printLine("payload: \(nodes) nodes x \(intervals) intervals, \(body.count) bytes, seed \(seed), gzip level \(gzipLevel)")
            var rows = try await PipelineBenchmark(payload: body, validator: validator, gzipLevel: gzipLevel, repetitions: repetitions).run()
            if streamMegabytesPerSecond > 0 {
                let streamBody = streamNodes == nodes && intervals == 288 ? body : BenchmarkPayload.documentedCTS(nodes: streamNodes, seed: seed)
                printLine("streaming payload: \(streamNodes) nodes x 288 intervals, \(streamBody.count) bytes at \(streamMegabytesPerSecond) MB/s")
                rows += try await StreamingBenchmark(payload: streamBody, validator: validator, validatorLabel: "CTS rules",
                                                     bytesPerSecond: streamMegabytesPerSecond * 1e6, gzipLevel: gzipLevel,
                                                     repetitions: repetitions).run()
            }
            if !skipChildren {
                let me = BenchmarkChild.currentExecutable
                let probe = try await BenchmarkChild.run(me, ["bench", "--memory-probe", "--nodes", String(nodes), "--intervals", String(intervals),
                                                        "--seed", String(seed), "--gzip-level", String(gzipLevel)])
                guard let memory = MemoryProbe(line: probe.stdout) else {
                    throw BenchmarkError.childFailed("the memory probe printed no result (exit \(probe.status)): \(probe.stderr.suffix(500))")
                }
                rows.append(memory.row)
                rows += try await StartupBenchmark(scraperPath: me).run()
                if backfillDays > 0 {
                    let sim = simulator ?? URL(fileURLWithPath: me).deletingLastPathComponent().appendingPathComponent("miso-sim").path
                    rows += try await BackfillBenchmark(scraperPath: me, simulatorPath: sim, days: backfillDays,
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
