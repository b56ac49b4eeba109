import Foundation

/// Times `scraper --help` and `scraper config check` as fresh processes (best of several runs):
/// the start-up cost every cron invocation pays.
public struct StartupBenchmark {
    public var scraperPath: String
    public var repetitions: Int
    /// Each command should finish in well under this many seconds.
    public static let limitSeconds = 1.0

    public init(scraperPath: String, repetitions: Int = 5) {
        self.scraperPath = scraperPath
        self.repetitions = max(1, repetitions)
    }

    public func run() throws -> [BenchmarkRow] {
        let workspace = try BenchmarkWorkspace()
        defer { workspace.remove() }
        var rows: [BenchmarkRow] = []
        for arguments in [["--help"], ["config", "check"]] {
            var best = Double.infinity
            for _ in 0..<repetitions {
                let child = try BenchmarkChild.run(scraperPath, arguments, directory: workspace.url,
                                                   environment: ["PATH": "/usr/bin:/bin", "HOME": workspace.url.path])
                guard child.status == 0 else {
                    throw BenchmarkError.childFailed("scraper \(arguments.joined(separator: " ")) exited \(child.status): \(child.stderr.prefix(500))")
                }
                best = min(best, child.seconds)
            }
            rows.append(BenchmarkRow(group: "startup", name: "scraper " + arguments.joined(separator: " "), seconds: best,
                                     ratio: best / Self.limitSeconds, ratioReference: "1 s", ratioLimit: 0.5))
        }
        return rows
    }
}
