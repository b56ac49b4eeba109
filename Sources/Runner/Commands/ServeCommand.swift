import ArgumentParser
import CollectionFramework
import Collectors
import Foundation
import Synchronization
import Logging
import LoopbackHTTP
import ServiceLifecycle
import UnixSignals

/// `scraper serve`: one long-lived process that runs every enabled collector on its schedule and
/// answers `/metrics`, `/healthz` and `/readyz`.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run every enabled collector on its cron schedule and serve /metrics, /healthz and /readyz.",
        discussion: """
        Each enabled collector of the environment runs a snapshot collection on its `schedule` from collectors.yaml \
        (five-field cron, local time zone; default "*/15 * * * *"), never two runs of one collector at once, each start \
        delayed by a random 0..jitter seconds. After downtime a missed schedule runs once at start, not once per missed \
        slot (last runs are kept in the state file).

        SIGTERM or SIGINT: /readyz turns 503, running collectors finish their current candidates, then the process \
        exits 0. Prints `scraper serve listening on http://HOST:PORT`.
        """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Address to listen on (default: serve.host, else 127.0.0.1).")
    var host: String?
    @Option(name: .long, help: "Port to listen on; 0 picks a free one (default: serve.port, else 9464).")
    var port: Int?
    @Option(name: .customLong("jitter-seconds"), help: "Start each run a random 0..N seconds after its slot (default: serve.jitter_seconds, else 5).")
    var jitterSeconds: Double?
    @Option(name: .customLong("state-file"), help: "Where last-run times are kept (default: serve.state_path, else beside the embedded registry).")
    var stateFile: String?
    @Option(name: .customLong("api-url"), help: "Fetch from this address instead of each collector's (a mirror, the simulator).")
    var apiURL: String?
    @Option(name: .customLong("metrics-file"), help: "Also write Prometheus metrics here (atomically) after each run and at exit.")
    var metricsFile: String?
    @Option(name: .long, help: "Also push Prometheus metrics to this Pushgateway after each run and at exit.")
    var pushgateway: String?
    @Option(name: .customLong("time-scale"), help: .hidden)
    var timeScale: Double?

    func validate() throws {
        if let host, !ServeSettings.isIPv4(host) { throw ValidationError("--host must be a dotted IPv4 address such as 127.0.0.1, not \(host.debugDescription)") }
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be 0-65535, not \(port)") }
        if let jitterSeconds, !(0...3600).contains(jitterSeconds) { throw ValidationError("--jitter-seconds must be 0-3600, not \(jitterSeconds)") }
        if let timeScale, !(timeScale > 0 && timeScale.isFinite) { throw ValidationError("--time-scale must be a positive number") }
        if let apiURL, !CollectorConfiguration.isHTTPAddress(apiURL) {
            throw ValidationError("--api-url must start with http:// or https://, not \(apiURL.debugDescription)")
        }
    }

    func run() async throws {
        let logger = try CommandStartup.process(global)
        let catalog = CollectorCatalog(BuiltInCollectors.all)
        let configuration = try CommandStartup.configuration(global, catalog: catalog)
        var entries = configuration.collectors.filter(\.enabled)
        if let apiURL { for index in entries.indices { entries[index].apiURL = apiURL } }
        if entries.isEmpty {
            logger.warning("no enabled collectors in the \(configuration.environment) environment of \(configuration.file ?? "the built-in defaults"): serving /metrics, /healthz and /readyz only")
        }

        let collectors = entries.map(configuration.settings.resolved)
        let (backends, services) = try await CommandStartup.services(configuration.settings, environment: configuration.environment, logger: logger)

        let environment = configuration.environment
        let export: @Sendable () async -> Void = { [metricsFile, pushgateway] in
            await MetricsExport.export(file: metricsFile, pushgateway: pushgateway, environment: environment, logger: logger)
        }
        let runner = CollectionRunner(logger: logger, catalog: catalog, runID: RunIdentity.current, observer: FaultInjection.observer)
        let statePath = stateFile ?? configuration.serve.statePath
            ?? CollectionDaemon.defaultStatePath(registry: backends.registry, environment: configuration.environment)
        let daemon: CollectionDaemon
        do {
            daemon = try CollectionDaemon(
                runner: runner, collectors: collectors, services: services,
                state: ScheduleState(path: statePath),
                jitterSeconds: jitterSeconds ?? configuration.serve.jitterSeconds ?? Defaults.jitterSeconds,
                clock: timeScale.map { ScaledScheduleClock(speed: $0) as any ScheduleClock } ?? SystemScheduleClock(),
                onRunFinished: { _, _ in Task { await export() } })
        } catch {
            throw Exit.fail("\(error)", Exit.usage)
        }

        let listenHost = host ?? configuration.serve.host ?? Defaults.serveHost
        let listenPort = port ?? configuration.serve.port ?? Defaults.servePort
        let draining = DrainFlag()
        let server = LoopbackHTTPServer(host: listenHost, port: listenPort, handler: OpsEndpoints.handler(
            services: services, draining: { draining.isSet }, exposition: { MetricsExport.exposition() }))
        let boundPort: Int
        do { boundPort = try server.start() } catch {
            throw Exit.fail("cannot listen on \(listenHost):\(listenPort) (\(error)); choose another with --port or serve.port", Exit.unavailable)
        }

        logger.info("serving \(entries.count) collector\(entries.count == 1 ? "" : "s") (\(collectors.map { "\($0.name) \($0.effectiveSchedule)" }.joined(separator: "; "))); state file \(statePath)")
        // The schedules' first slots are published (metrics, status) before anyone is told we listen.
        let scheduleServices = daemon.services
        printLine("scraper serve listening on http://\(listenHost):\(boundPort)")

        // The first SIGTERM or SIGINT turns /readyz to 503, then starts the group's graceful shutdown,
        // which stops the services in reverse order: each schedule drains, then the endpoint stops.
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: OpsEndpointService(server: server))]
                + scheduleServices.map { .init(service: $0, successTerminationBehavior: .ignore) },
            logger: logger))
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        do {
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                tasks.addTask {
                    // Watches until cancelled: a second signal during the drain changes nothing.
                    var first = true
                    for await signal in signals where first {
                        first = false
                        draining.set()
                        logger.warning("received \(signal): /readyz answers 503; waiting collectors stop, running ones finish their current candidates")
                        await group.triggerGracefulShutdown()
                    }
                }
                // The group ends after its graceful shutdown (or an error); the signal watcher then goes too.
                try await tasks.next()
                tasks.cancelAll()
            }
        } catch {
            logger.error("serve stopped with an error: \(error)")
        }
        await export()
        await services.notifier?.close()
        logger.info("stopped: every run in progress has finished")
    }
}

/// Set once when a graceful shutdown begins; `/readyz` reads it.
final class DrainFlag: Sendable {
    private let value = Mutex(false)
    var isSet: Bool { value.withLock { $0 } }
    func set() { value.withLock { $0 = true } }
}

/// The ops HTTP endpoint as a `Service`. The server is already listening (started before the
/// group, so the listening line can name the bound port); it serves until the graceful shutdown
/// reaches it, last, and then stops.
struct OpsEndpointService: Service {
    let server: LoopbackHTTPServer

    func run() async throws {
        try? await gracefulShutdown()
        await server.stop()
    }
}
