import ArgumentParser
import CollectionFramework
import Collectors

/// `scraper list`: registered collector types and configured collectors.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List collector types and configured collectors.")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let catalog = CollectorCatalog(BuiltInCollectors.all)
        let configuration: ScraperConfiguration
        do { configuration = try global.loadConfiguration(catalog: catalog) } catch { throw Exit.fail("\(error)", Exit.usage) }
        printLine("Collector types:")
        for name in catalog.typeNames {
            printLine("  \(name.padding(toLength: 24, withPad: " ", startingAt: 0)) \(catalog.type(named: name)!.summary)")
        }
        printLine("")
        printLine("Collectors in \(configuration.file ?? "built-in defaults") (environment \(configuration.environment)):")
        for entry in configuration.collectors {
            let state = entry.enabled ? "enabled " : "disabled"
            printLine("  \(entry.name.padding(toLength: 24, withPad: " ", startingAt: 0)) \(entry.type.padding(toLength: 22, withPad: " ", startingAt: 0)) \(state)  schedule: \(entry.schedule ?? "-")")
        }
    }
}
