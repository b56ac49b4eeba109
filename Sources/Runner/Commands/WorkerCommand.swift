import ArgumentParser
import CollectionFramework
import Collectors
import Foundation

/// `scraper worker`: joins the environment's consumer group and runs queued candidates through the
/// same pipeline as `scraper run`.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run candidates from the environment's work queue (see `scraper enqueue`), sharing it with other workers.",
        discussion: "An entry is acknowledged once stored and registered (or found registered); one that fails stays pending and is taken over by any worker after --claim-idle seconds; after --max-deliveries deliveries it goes to the dead-letter stream. SIGTERM finishes the candidates in progress and leaves the rest for others. The last stdout line is the summary as JSON.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var redis: QueueRedisOptions
    @Option(name: .long, help: "Candidates in progress at once (default 4).")
    var concurrency: Int = 4
    @Flag(name: .customLong("exit-when-empty"), help: "Stop once nothing is new or pending.")
    var exitWhenEmpty = false
    @Option(name: .customLong("claim-idle"), help: "Take over entries another worker has held this many seconds (default 60).")
    var claimIdle: Double = 60
    @Option(name: .customLong("max-deliveries"), help: "Deliveries before an entry goes to the dead-letter stream (default 5).")
    var maxDeliveries: Int = 5
    @Option(name: .customLong("s3-bucket"), help: "S3 bucket to store into (default: the configuration's storage).")
    var s3Bucket: String?
    @Option(name: .customLong("api-url"), help: "Fetch from this address instead of each collector's (a mirror, the simulator).")
    var apiURL: String?
    @Option(name: .customLong("rate-limit"), help: "Requests per minute per host (0 = unlimited); overrides collectors.yaml.")
    var rateLimit: Double?
    @Option(name: .customLong("consumer"), help: "This worker's name in the group (default host:pid).")
    var consumer: String?

    func validate() throws {
        guard (1...256).contains(concurrency) else { throw ValidationError("--concurrency must be 1-256, not \(concurrency)") }
        guard claimIdle > 0 else { throw ValidationError("--claim-idle must be a positive number of seconds") }
        guard maxDeliveries >= 1 else { throw ValidationError("--max-deliveries must be at least 1") }
        if let apiURL, !CollectorConfiguration.isHTTPAddress(apiURL) { throw ValidationError("--api-url must start with http:// or https://") }
    }

    func run() async throws {
        let logger = try CommandStartup.process(global)
        let catalog = CollectorCatalog(BuiltInCollectors.all)
        let configuration = try CommandStartup.configuration(global, catalog: catalog)
        var settings = configuration.settings
        redis.apply(&settings)
        if let s3Bucket { settings.storage.type = .s3; settings.storage.bucket = s3Bucket }
        var collectors: [String: ResolvedCollector] = [:]
        for var entry in configuration.collectors {
            if let apiURL { entry.apiURL = apiURL }
            if let rateLimit { entry.http.rateLimitPerMinute = rateLimit }
            collectors[entry.name] = settings.resolved(entry)
        }
        let queue = try await QueueConnection.open(settings, environment: configuration.environment)
        let (_, services) = try await CommandStartup.services(settings, environment: configuration.environment, logger: logger)
        let name = consumer ?? "\(ProcessInfo.processInfo.hostName):\(getpid())"
        let worker = QueueWorker(queue: queue, runner: CollectionRunner(logger: logger, catalog: catalog, runID: RunIdentity.current),
                                 collectors: collectors, services: services, consumer: name, concurrency: concurrency,
                                 claimIdle: claimIdle, maxDeliveries: maxDeliveries, exitWhenEmpty: exitWhenEmpty)
        logger.info("worker \(name) on \(queue.stream) (group \(RedisWorkQueue.group), concurrency \(concurrency))")
        let result: Result<WorkerSummary, any Error> = await SignalCancellation.run(logger: logger) {
            do { return .success(try await worker.run()) } catch { return .failure(error) }
        }
        await services.notifier?.close()
        switch result {
        case .success(let summary):
            printLine(summary.json())
        case .failure(let error):
            throw Exit.fail("the work queue at \(queue.displayName) failed: \(error)", Exit.unavailable)
        }
    }
}
