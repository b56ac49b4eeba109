import CollectionFramework

/// Finds the collector a command names: a configured collector, or a registered type under its default name.
enum CollectorLookup {
    /// The entry `name` names, or the usage error that lists every name the command would accept.
    static func entry(named name: String, in configuration: ScraperConfiguration, catalog: CollectorCatalog) throws -> CollectorEntry {
        if let entry = configuration.collector(named: name, knownTypes: catalog.typeNames) { return entry }
        let known = Set(configuration.collectors.map(\.name) + catalog.typeNames.map(ScraperConfiguration.defaultName(forType:)))
        throw Exit.fail("unknown collector \(name.debugDescription); known: \(known.sorted().joined(separator: ", "))", Exit.usage)
    }
}
