import ArgumentParser
import CollectionFramework
import Collectors

/// `scraper config check`: validate collectors.yaml for an environment.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "config", abstract: "Configuration tools.",
                                                    subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Load and check collectors.yaml; print the effective configuration with secrets masked.")
        @OptionGroup var global: GlobalOptions

        func run() throws {
            let catalog = CollectorCatalog(BuiltInCollectors.all)
            let configuration: ScraperConfiguration
            do { configuration = try global.loadConfiguration(catalog: catalog) } catch { throw Exit.fail("\(error)", Exit.usage) }
            if let bucket = configuration.settings.storage.bucket, !S3BucketName.isValid(bucket) {
                throw Exit.fail(S3BucketName.problem(bucket, source: "storage.bucket (or S3_BUCKET)"), Exit.usage)
            }
            SecretRedactor.shared.register(configuration.settings.registry.password)
            SecretRedactor.shared.register(configuration.settings.notifications.connectionString.flatMap(ConnectionStringSecrets.password(in:)))
            printLine(EffectiveConfiguration.render(configuration))
            printLine("ok: \(configuration.file ?? "built-in defaults") is valid for environment \(configuration.environment)")
        }
    }
}
