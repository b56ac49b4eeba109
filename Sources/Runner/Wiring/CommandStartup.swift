import CollectionFramework
import Foundation
import Logging

/// The start every collecting command (`run`, `serve`, `worker`) shares: the configuration, then the
/// backends, with each failure mapped to its exit code (64 for what the user wrote, 69 for a backend).
enum CommandStartup {
    /// A collecting process's first steps: refuse an old libcurl, restrict new files to the owner,
    /// start logging and the metrics registry. Returns the root logger.
    static func process(_ global: GlobalOptions) throws -> Logger {
        try LibcurlFloor.check()
        FileCreationMask.restrict()
        let logger = global.makeLogger()
        _ = MetricsExport.registry
        return logger
    }

    static func configuration(_ global: GlobalOptions, catalog: CollectorCatalog) throws -> ScraperConfiguration {
        do { return try global.loadConfiguration(catalog: catalog) } catch { throw Exit.fail("\(error)", Exit.usage) }
    }

    /// Resolves `settings` and builds the store, registry and notifier they name.
    static func services(_ settings: SettingsLayer, environment: String, logger: Logger) async throws -> (ResolvedSettings, PipelineServices) {
        let backends: ResolvedSettings
        do {
            SecretRedactor.shared.register(settings.registry.password)
            backends = try settings.resolved()
        } catch {
            throw Exit.fail("\(error)", Exit.usage)
        }
        do {
            return (backends, try await BackendFactory.services(backends, environment: environment, logger: logger))
        } catch let error as ConfigError {
            throw Exit.fail("\(error)", Exit.usage)
        } catch {
            throw Exit.fail("\(error)", Exit.unavailable)
        }
    }
}
