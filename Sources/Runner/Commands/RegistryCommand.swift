import ArgumentParser
import CollectionFramework
import Foundation

/// `scraper registry get|delete|count`: inspect or forget registered hashes.
struct RegistryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry", abstract: "Inspect or forget registered content hashes.",
        subcommands: [Get.self, Delete.self, Count.self])

    struct Target: ParsableArguments {
        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("dataset"), help: "Dataset group, e.g. miso_coordinated_transaction_scheduling.")
        var datasetGroup: String
        @Option(name: .customLong("redis-host")) var redisHost: String?
        @Option(name: .customLong("redis-port")) var redisPort: Int?
        @Option(name: .customLong("redis-db")) var redisDB: Int?

        func registry() async throws -> any HashRegistry {
            _ = global.makeLogger()
            let configuration: ScraperConfiguration
            do {
                configuration = try global.loadConfiguration(catalog: CollectorCatalog())
            } catch { throw Exit.fail("\(error)", Exit.usage) }
            var settings = configuration.settings.registry
            if let redisHost { settings.type = .redis; settings.host = redisHost }
            if let redisPort { settings.type = .redis; settings.port = redisPort }
            if let redisDB { settings.db = redisDB }
            if let problem = RedisFlags.ineffectiveDatabase(redisDB, registry: settings) { throw Exit.fail(problem, Exit.usage) }
            SecretRedactor.shared.register(settings.password)
            do { return try await BackendFactory.makeRegistry(settings.resolved(), environment: configuration.environment) } catch {
                throw Exit.fail("\(error)", Exit.unavailable)
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the record of a hash as JSON.")
        @OptionGroup var target: Target
        @Argument(help: "SHA-256 hex of the raw content.") var sha256: String
        func run() async throws {
            guard let record = try await target.registry().get(sha256: sha256.lowercased(), datasetGroup: target.datasetGroup) else {
                throw Exit.fail("hash \(sha256) is not registered for \(target.datasetGroup)", Exit.failures)
            }
            printLine(record.json())
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Forget a hash so the next run stores its content again.")
        @OptionGroup var target: Target
        @Argument(help: "SHA-256 hex of the raw content.") var sha256: String
        func run() async throws {
            let deleted = try await target.registry().delete(sha256: sha256.lowercased(), datasetGroup: target.datasetGroup)
            printLine(deleted ? "deleted" : "not registered")
            if !deleted { throw Exit.failures }
        }
    }

    struct Count: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Count registered hashes of a dataset group.")
        @OptionGroup var target: Target
        func run() async throws {
            printLine(String(try await target.registry().count(datasetGroup: target.datasetGroup)))
        }
    }
}
