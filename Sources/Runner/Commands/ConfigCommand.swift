import ArgumentParser
import CollectionFramework
import Collectors
import Foundation

/// `scraper config check`: validate collectors.yaml for an environment.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "config", abstract: "Configuration tools.",
                                                    subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load and check collectors.yaml; print the effective configuration with secrets masked.",
            discussion: """
            Every problem is reported on stderr as `error: FILE:LINE:COLUMN: message`, followed by a count; the exit \
            code is then 64. With no problem the effective configuration (variables resolved, secrets masked) is printed \
            on stdout, ending with an `ok:` line.
            """)
        @OptionGroup var global: GlobalOptions

        func run() throws {
            let catalog = CollectorCatalog(BuiltInCollectors.all)
            let variables = ProcessInfo.processInfo.environment
            let path = global.config ?? ScraperConfiguration.defaultFileName
            let result: ScraperConfiguration.CheckResult
            if global.config != nil || FileManager.default.fileExists(atPath: path) {
                result = ScraperConfiguration.check(path: path, environment: global.environment, variables: variables,
                                                    knownTypes: catalog.typeNames, parameters: catalog.declaredParameters)
            } else {
                do {
                    result = .init(configuration: try ScraperConfiguration.builtIn(environment: global.environment, variables: variables,
                                                                                   knownTypes: catalog.typeNames), problems: [])
                } catch let error as ConfigError {
                    result = .init(configuration: nil, problems: [error])
                }
            }
            SecretRedactor.shared.register(variables["REDIS_PASSWORD"])
            SecretRedactor.shared.register(variables["KAFKA_CONNECTION_STRING"].flatMap(ConnectionStringSecrets.password(in:)))
            guard let configuration = result.configuration, result.problems.isEmpty else {
                for problem in result.problems { _ = Exit.fail("\(problem)", Exit.usage) }
                let count = result.problems.count
                throw Exit.fail("\(count) problem\(count == 1 ? "" : "s") in \(path) for environment \(global.environment)", Exit.usage)
            }
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
