import ArgumentParser
import CollectionFramework
import BlockingIO
import Foundation

/// `scraper`: runs energy-market data collectors.
@main
struct ScraperCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scraper",
        abstract: "Collect energy-market data: fetch, validate, deduplicate, gzip, store and announce.",
        discussion: """
        Exit codes: 0 everything succeeded; 1 a candidate failed or the run was interrupted; \
        64 a bad argument or configuration value; 69 a backend (registry, store) is unavailable.

        --version prints three lines: the framework version; the commit, which is `git rev-parse --short HEAD` \
        of the git checkout the executable sits in, asked when you run it (so it is the checkout's commit now, \
        "unknown" outside a checkout or without git); and the build date, which is the executable's \
        modification time in UTC.
        """,
        subcommands: [RunCommand.self, ServeCommand.self, EnqueueCommand.self, WorkerCommand.self, QueueCommand.self, ListCommand.self, RegistryCommand.self, ScheduleCommand.self, ConfigCommand.self, ExportCommand.self, BenchCommand.self]
    )

    @Flag(name: .long, help: "Print the version, the git commit and the build date (see below), then exit.")
    var version = false

    func run() async throws {
        guard version else { throw CleanExit.helpRequest(self) }
        // Asking git and the file system blocks: done on the pool, not on the command's task.
        printLine(try await BlockingIOPool.shared.run { BuildInfo.current() }.lines)
    }
}
