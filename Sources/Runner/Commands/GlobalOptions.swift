import ArgumentParser
import CollectionFramework
import Foundation
import Logging

/// Options every command shares: which configuration, which environment, how to log.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Configuration file (default: ./collectors.yaml when it exists, else built-in defaults).")
    var config: String?

    @Option(name: .long, help: "Environment: dev, staging or prod.")
    var environment: String = "dev"

    @Option(name: .long, help: "Log level: DEBUG, INFO, WARNING or ERROR.")
    var logLevel: String = "INFO"

    @Option(name: .long, help: "Log format: text or json (default: text on a terminal, json otherwise).")
    var logFormat: String?

    func validate() throws {
        guard RegistryKey.environments.contains(environment) else {
            throw ValidationError("--environment must be dev, staging or prod, not \(environment.debugDescription)")
        }
        guard LogSetup.level(logLevel) != nil else {
            throw ValidationError("--log-level must be DEBUG, INFO, WARNING or ERROR, not \(logLevel.debugDescription)")
        }
        if let logFormat, ScraperLogHandler.Format(rawValue: logFormat.lowercased()) == nil {
            throw ValidationError("--log-format must be text or json, not \(logFormat.debugDescription)")
        }
    }

    /// Bootstraps logging to stderr and returns the root logger.
    func makeLogger() -> Logger {
        let format = logFormat.flatMap { ScraperLogHandler.Format(rawValue: $0.lowercased()) }
            ?? (isatty(STDERR_FILENO) == 1 ? .text : .json)
        return LogSetup.bootstrap(level: LogSetup.level(logLevel) ?? .info, format: format)
    }

    /// Loads the configuration for the chosen environment.
    func loadConfiguration(catalog: CollectorCatalog) throws -> ScraperConfiguration {
        let variables = ProcessInfo.processInfo.environment
        let path = config ?? ScraperConfiguration.defaultFileName
        if config != nil || FileManager.default.fileExists(atPath: path) {
            return try ScraperConfiguration.load(path: path, environment: environment, variables: variables,
                                                 knownTypes: catalog.typeNames, parameters: catalog.declaredParameters)
        }
        return try ScraperConfiguration.builtIn(environment: environment, variables: variables, knownTypes: catalog.typeNames)
    }
}

/// Logging bootstrap (once per process).
enum LogSetup {
    static func level(_ text: String) -> Logger.Level? {
        switch text.uppercased() {
        case "TRACE": return .trace
        case "DEBUG": return .debug
        case "INFO": return .info
        case "NOTICE": return .notice
        case "WARNING", "WARN": return .warning
        case "ERROR": return .error
        case "CRITICAL": return .critical
        default: return nil
        }
    }

    static func bootstrap(level: Logger.Level, format: ScraperLogHandler.Format) -> Logger {
        LoggingSystem.bootstrap { label in ScraperLogHandler(label: label, level: level, format: format) }
        var logger = Logger(label: "scraper")
        logger[metadataKey: "run_id"] = "\(RunIdentity.current)"
        return logger
    }
}

/// The id of this process's run, carried by every log line.
enum RunIdentity {
    static let current = String(UUID().uuidString.prefix(8)).lowercased()
}
