import Foundation

/// Times `scraper --help` and `scraper config check` as fresh processes (best of several runs):
/// the start-up cost every cron invocation pays.
package struct StartupBenchmark {
    package var scraperPath: String
    package var repetitions: Int
    /// Each command should finish in well under this many seconds.
    package static let limitSeconds = 1.0

    package init(scraperPath: String, repetitions: Int = 5) {
        self.scraperPath = scraperPath
        self.repetitions = max(1, repetitions)
    }

    package func run() async throws -> [BenchmarkRow] {
        let workspace = try BenchmarkWorkspace()
        defer { workspace.remove() }
        var rows: [BenchmarkRow] = []
        for arguments in [["--help"], ["config", "check"]] {
            var best = Double.infinity
            for _ in 0..<repetitions {
                let child = try await BenchmarkChild.run(scraperPath, arguments, directory: workspace.url,
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
