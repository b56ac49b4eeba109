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
            let type = catalog.type(named: name)!
            printLine("  \(name.padding(toLength: 24, withPad: " ", startingAt: 0)) \(type.summary)")
            // Then one line per declared parameter: `--param NAME=VALUE`, its kind, its help.
            for parameter in type.parameters {
                printLine("    --param \(parameter.name)=\(parameter.kindDescription): \(parameter.help)")
            }
            // And one per rule whose severity rule_severity: may change.
            for rule in type.rules {
                printLine("    rule \(rule.name) (\(rule.defaultSeverity.rawValue)): \(rule.summary)")
            }
        }
        printLine("")
        printLine("Collectors in \(configuration.file ?? "built-in defaults") (environment \(configuration.environment)):")
        // Columns as wide as their longest value, so no name or type is cut.
        let nameWidth = max(24, configuration.collectors.map(\.name.count).max() ?? 0)
        let typeWidth = max(22, configuration.collectors.map(\.type.count).max() ?? 0)
        for entry in configuration.collectors {
            let state = entry.enabled ? "enabled " : "disabled"
            printLine("  \(entry.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0)) \(entry.type.padding(toLength: typeWidth, withPad: " ", startingAt: 0)) \(state)  schedule: \(entry.schedule ?? "-")")
        }
    }
}
