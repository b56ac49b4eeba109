import ArgumentParser
import CollectionFramework
import Collectors
import Foundation

/// `scraper config check`: validate collectors.yaml for an environment.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "config", abstract: "Configuration tools.",
                                                    subcommands: [Check.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load and check collectors.yaml; print the effective configuration with secrets masked.",
            discussion: """
            Every problem is reported on stderr as `error: FILE:LINE:COLUMN: message`, followed by a count; the exit \
            code is then 64. With no problem the effective configuration (variables resolved, secrets masked) is printed \
            on stdout, ending with an `ok:` line.

            --connect then also tries each backend and prints one line per backend: `registry: ok|FAILED ...` \
            (Redis PING, or opening the embedded SQLite file), `storage: ok|FAILED ...` (S3 HEAD bucket, or the local \
            folder), `notifications: ok|FAILED|none ...` (a Kafka metadata request). Exit 69 when one failed.
            """)
        @OptionGroup var global: GlobalOptions
        @Flag(name: .long, help: "Also connect to the registry, the bucket and the Kafka brokers; one line per backend.")
        var connect = false

        func run() async throws {
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
            // rule_severity: names against each type's declared rules (run and serve refuse them too).
            let ruleProblems = configuration.collectors.compactMap { entry -> String? in
                guard let type = catalog.type(named: entry.type) else { return nil }
                return RuleSeverities.problems(in: entry.ruleSeverity, declared: type.rules, typeName: type.typeName)
                    .map { "collectors.\(entry.name).\($0)" }
            }
            if !ruleProblems.isEmpty {
                for problem in ruleProblems { _ = Exit.fail("\(path): \(problem)", Exit.usage) }
                throw Exit.fail("\(ruleProblems.count) problem\(ruleProblems.count == 1 ? "" : "s") in \(path) for environment \(global.environment)", Exit.usage)
            }
            if let bucket = configuration.settings.storage.bucket, !S3BucketName.isValid(bucket) {
                throw Exit.fail(S3BucketName.problem(bucket, source: "storage.bucket (or S3_BUCKET)"), Exit.usage)
            }
            SecretRedactor.shared.register(configuration.settings.registry.password)
            SecretRedactor.shared.register(configuration.settings.notifications.connectionString.flatMap(ConnectionStringSecrets.password(in:)))
            printLine(EffectiveConfiguration.render(configuration))
            printLine("ok: \(configuration.file ?? "built-in defaults") is valid for environment \(configuration.environment)")
            if connect { try await Self.connect(configuration) }
        }

        /// Tries each backend in turn; a failure is reported and the next one still tried.
        static func connect(_ configuration: ScraperConfiguration) async throws {
            let backends: ResolvedSettings
            do { backends = try configuration.settings.resolved() } catch { throw Exit.fail("\(error)", Exit.usage) }
            var failed = false
            func report(_ name: String, _ outcome: Result<String, any Error>) {
                switch outcome {
                case .success(let detail): printLine("\(name): ok (\(detail))")
                case .failure(let error):
                    failed = true
                    printLine("\(name): FAILED (\(error))")
                }
            }
            do {
                let registry = try await BackendFactory.makeRegistry(backends.registry, environment: configuration.environment)
                try await registry.checkReachable()
                report("registry", .success(registry.displayName))
            } catch { report("registry", .failure(error)) }
            do {
                let (store, warnings) = try await BackendFactory.openStore(backends.storage, http: backends.http)
                report("storage", .success(([store.displayName] + warnings.map { "warning: \($0)" }).joined(separator: "; ")))
            } catch { report("storage", .failure(error)) }
            do {
                if let notifier = try BackendFactory.makeNotifier(backends.notifier) {
                    var outcome: Result<String, any Error> = .success(notifier.displayName)
                    if let kafka = notifier as? KafkaNotifier {
                        do {
                            let brokers = try await kafka.checkReachable()
                            outcome = .success("\(notifier.displayName), \(brokers) broker\(brokers == 1 ? "" : "s")")
                        } catch { outcome = .failure(error) }
                    }
                    await notifier.close()
                    report("notifications", outcome)
                } else {
                    printLine("notifications: none")
                }
            } catch { report("notifications", .failure(error)) }
            if failed { throw Exit.unavailable }
        }
    }
}
