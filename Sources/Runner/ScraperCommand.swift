import ArgumentParser

/// `scraper`: runs energy-market data collectors.
@main
struct ScraperCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scraper",
        abstract: "Collect energy-market data: fetch, validate, deduplicate, gzip, store and announce.",
        discussion: """
        Exit codes: 0 everything succeeded; 1 a candidate failed or the run was interrupted;
        64 a bad argument or configuration value; 69 a backend (registry, store) is unavailable.
        """,
        subcommands: [RunCommand.self, ServeCommand.self, ListCommand.self, RegistryCommand.self, ConfigCommand.self, BenchCommand.self]
    )
}
