import ArgumentParser
import BlockingIO
import CollectionFramework
import Collectors
import Foundation
import Logging

/// `scraper run NAME` / `scraper run --all`: one collection run, summary JSON as the last stdout line.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a collector (or every enabled one) once.",
        discussion: """
        Environment variables (below flags, above collectors.yaml): S3_BUCKET, REDIS_HOST, REDIS_PORT, \
        REDIS_PASSWORD, AWS_PROFILE, KAFKA_CONNECTION_STRING. The last line on stdout is the run summary as JSON.
        """
    )

    @Argument(help: "Collector to run: a name from collectors.yaml or a registered type (see `scraper list`).")
    var name: String?

    @Flag(name: .long, help: "Run every enabled collector of the environment.")
    var all = false

    @OptionGroup var global: GlobalOptions

    @Option(name: .customLong("s3-bucket"), help: "S3 bucket to store into (default: a local ./data directory).")
    var s3Bucket: String?
    @Option(name: .customLong("start-date"), help: "First operating day of a range (YYYY-MM-DD).")
    var startDate: String?
    @Option(name: .customLong("end-date"), help: "Last operating day of a range (YYYY-MM-DD).")
    var endDate: String?
    @Option(name: .long, help: "One operating day (YYYY-MM-DD).")
    var date: String?
    @Option(name: .long, help: "One 5-minute interval (HH:MM); for miso.cts, the same as --param interval=HH:MM.")
    var interval: String?
    @Option(name: .long, help: "One interface node, e.g. MISO.PJM.INTERFACE1; for miso.cts, the same as --param node=NAME.")
    var node: String?
    @Option(name: .customLong("param"), help: ArgumentHelp("A collector parameter, checked against the collector's declaration (see `scraper list`); repeatable.", valueName: "name=value"))
    var parameters: [String] = []
    @Option(name: .customLong("aws-profile"), help: "AWS profile for S3 credentials, region and endpoint.")
    var awsProfile: String?
    @Option(name: .customLong("s3-sse"), help: ArgumentHelp("Server-side encryption each S3 upload asks for: AES256 or aws:kms (default: the bucket's own).", valueName: "AES256|aws:kms"))
    var s3SSE: String?
    @Option(name: .customLong("s3-kms-key-id"), help: "KMS key (id, ARN or alias/NAME) for --s3-sse aws:kms (default: the AWS managed key).")
    var s3KMSKeyID: String?
    @Option(name: .customLong("redis-host"), help: "Redis host for the hash registry (default: embedded registry).")
    var redisHost: String?
    @Option(name: .customLong("redis-port"), help: "Redis port (default 6379).")
    var redisPort: Int?
    @Option(name: .customLong("redis-db"), help: "Redis database number (default 0).")
    var redisDB: Int?
    @Option(name: .customLong("kafka-connection-string"), help: "Kafka connection string for notifications.")
    var kafkaConnectionString: String?
    @Flag(name: .customLong("allow-mixed-sharing"), help: "Allow a private registry beside a shared S3 bucket, or a shared Redis beside a local folder (refused otherwise); the same as registry.allow_mixed_sharing.")
    var allowMixedSharing = false
    @Flag(name: .long, help: "Store even when the content hash is already registered (a revised day's object goes to its normal key).")
    var force = false
    @Option(name: .customLong("api-url"), help: "Fetch from this address instead of the collector's (a mirror, the simulator).")
    var apiURL: String?
    @Option(name: .customLong("rate-limit"), help: "Requests per minute per host (0 = unlimited); overrides collectors.yaml.")
    var rateLimit: Double?
    @Option(name: .long, help: "Candidates fetched at once (default 4).")
    var concurrency: Int?
    @Flag(name: .customLong("dry-run"), help: "Fetch and validate, then print one JSON line per candidate (key, size, sha256, duplicate or not) and the summary; write nothing to the store, the registry or Kafka.")
    var dryRun = false
    @Option(name: .long, help: ArgumentHelp("Write each validated raw payload to stdout and store nothing; the summary goes to stderr. Only - is accepted.", valueName: "-"))
    var output: String?
    @Option(name: .customLong("metrics-file"), help: "Write Prometheus metrics here at the end of the run (atomically).")
    var metricsFile: String?
    @Option(name: .long, help: "Push Prometheus metrics to this Pushgateway at the end of the run.")
    var pushgateway: String?

    func validate() throws {
        if all && name != nil { throw ValidationError("give a collector name or --all, not both") }
        if !all && name == nil { throw ValidationError("name a collector to run (see `scraper list`) or pass --all") }
        if date != nil && (startDate != nil || endDate != nil) {
            throw ValidationError("--date cannot be combined with --start-date/--end-date")
        }
        if (startDate == nil) != (endDate == nil) {
            throw ValidationError("--start-date and --end-date go together: give both")
        }
        for (flag, value) in [("--date", date), ("--start-date", startDate), ("--end-date", endDate)] {
            if let value, CalendarDate(iso: value) == nil {
                throw ValidationError("\(flag) \(value.debugDescription) is not a real date in YYYY-MM-DD form")
            }
        }
        if let s = startDate.flatMap(CalendarDate.init(iso:)), let e = endDate.flatMap(CalendarDate.init(iso:)) {
            guard s <= e else { throw ValidationError("--start-date \(s) is after --end-date \(e)") }
            guard s.through(e).count <= 3660 else { throw ValidationError("the date range spans more than 3660 days; split the backfill") }
        }
        if let redisPort, !(1...65535).contains(redisPort) { throw ValidationError("--redis-port must be 1-65535, not \(redisPort)") }
        if let redisDB, !(0...1023).contains(redisDB) { throw ValidationError("--redis-db must be 0-1023, not \(redisDB)") }
        if let rateLimit, !(rateLimit >= 0 && rateLimit.isFinite) { throw ValidationError("--rate-limit must be 0 (unlimited) or a positive number") }
        if let concurrency, !(1...256).contains(concurrency) { throw ValidationError("--concurrency must be 1-256, not \(concurrency)") }
        if let apiURL, !CollectorConfiguration.isHTTPAddress(apiURL) {
            throw ValidationError("--api-url must start with http:// or https://, not \(apiURL.debugDescription)")
        }
        if let s3Bucket, !S3BucketName.isValid(s3Bucket) {
            throw ValidationError("--s3-bucket \(s3Bucket.debugDescription) is not a valid bucket name (3-63 lowercase letters, digits, '.' and '-')")
        }
        if let s3SSE, !S3ServerSideEncryption.names.contains(s3SSE) {
            throw ValidationError("--s3-sse must be AES256 or aws:kms, not \(s3SSE.debugDescription)")
        }
        do { _ = try filters() } catch { throw ValidationError("\(error)") }
        if let output, output != "-" { throw ValidationError("--output takes only - (stdout), not \(output.debugDescription)") }
        if output != nil && dryRun { throw ValidationError("--output - and --dry-run cannot be combined: both store nothing, choose what to print") }
    }

    /// Nothing is written anywhere: `--dry-run` or `--output -`.
    var inspectOnly: Bool { dryRun || output != nil }

    /// `--param NAME=VALUE` and the aliases `--interval` and `--node`, as one set of values.
    func filters() throws -> [String: String] {
        try ParameterArguments.parse(parameters, aliases: [
            .init(flag: "--interval", parameter: "interval", value: interval),
            .init(flag: "--node", parameter: "node", value: node),
        ])
    }

    /// The request the flags describe.
    func request() throws -> CollectionRequest {
        let filters = try self.filters()
        let mode: CollectionRequest.Mode
        if let d = date.flatMap(CalendarDate.init(iso:)) {
            mode = .day(d)
        } else if let s = startDate.flatMap(CalendarDate.init(iso:)), let e = endDate.flatMap(CalendarDate.init(iso:)) {
            mode = s == e ? .day(s) : .range(s, e)
        } else {
            mode = .snapshot
        }
        return CollectionRequest(mode: mode, filters: filters, collectionTime: Date())
    }

    /// Flags laid over the configuration (the top layer).
    func overrides(_ settings: inout SettingsLayer) {
        if let s3Bucket { settings.storage.type = .s3; settings.storage.bucket = s3Bucket }
        if let awsProfile { settings.storage.profile = awsProfile }
        if let s3SSE { settings.storage.sse = s3SSE }
        if let s3KMSKeyID { settings.storage.kmsKeyID = s3KMSKeyID }
        if let redisHost { settings.registry.type = .redis; settings.registry.host = redisHost }
        if let redisPort { settings.registry.port = redisPort; settings.registry.type = .redis }
        if let redisDB { settings.registry.db = redisDB }
        if allowMixedSharing { settings.registry.allowMixedSharing = true }
        if let kafkaConnectionString { settings.notifications.type = .kafka; settings.notifications.connectionString = kafkaConnectionString }
        // Nothing is announced when nothing is stored: no producer is even made.
        if inspectOnly { settings.notifications.type = NotifierKind.none }
    }

    func overrides(_ entry: inout CollectorEntry) {
        if let apiURL { entry.apiURL = apiURL }
        if let rateLimit { entry.http.rateLimitPerMinute = rateLimit }
        if let concurrency { entry.pipeline.concurrency = concurrency }
    }

    func run() async throws {
        SecretRedactor.shared.register(kafkaConnectionString.flatMap(ConnectionStringSecrets.password(in:)))
        let logger = try CommandStartup.process(global)
        let catalog = CollectorCatalog(BuiltInCollectors.all)
        let configuration: ScraperConfiguration
        do {
            configuration = try global.loadConfiguration(catalog: catalog)
        } catch {
            throw Exit.fail("\(error)", Exit.usage)
        }
        var settings = configuration.settings
        overrides(&settings)
        if let problem = RedisFlags.ineffectiveDatabase(redisDB, registry: settings.registry) { throw Exit.fail(problem, Exit.usage) }
        if let bucket = settings.storage.bucket, !S3BucketName.isValid(bucket) {
            throw Exit.fail(S3BucketName.problem(bucket, source: "the S3 bucket (--s3-bucket, S3_BUCKET or storage.bucket)"), Exit.usage)
        }

        var entries: [CollectorEntry]
        if all {
            entries = configuration.collectors.filter(\.enabled)
            if entries.isEmpty { throw Exit.fail("no enabled collectors in the \(configuration.environment) environment of \(configuration.file ?? "the built-in defaults")", Exit.usage) }
        } else {
            entries = [try CollectorLookup.entry(named: name ?? "", in: configuration, catalog: catalog)]
        }
        for index in entries.indices { overrides(&entries[index]) }
        let collectors = entries.map(settings.resolved)

        // Everything the user typed is checked before any backend is touched or request made.
        let planner = CollectionRunner(logger: logger, catalog: catalog, force: force, dryRun: inspectOnly)
        let prepared: [PreparedCollector]
        do {
            let request = try request()
            prepared = try collectors.map { try planner.prepare($0, request: request) }
        } catch {
            throw Exit.fail("\(error)", Exit.usage)
        }
        let (_, services) = try await CommandStartup.services(settings, environment: configuration.environment, logger: logger)
        let progress = ProgressDisplay.make(prepared: prepared, logger: logger)
        // `--output -`: each payload goes to stdout as its candidate finishes, written on the blocking pool in order.
        let payloads = output == nil ? nil : PayloadWriter()
        var onProgress: (@Sendable (String, Int, Int, CandidateOutcome) -> Void)?
        if progress != nil || payloads != nil {
            onProgress = { _, _, _, outcome in
                progress?.update(outcome)
                if case .inspected(let payload) = outcome { payloads?.write(payload.content) }
            }
        }
        let execution = CollectionRunner(logger: logger, catalog: catalog, force: force, dryRun: inspectOnly,
                                         runID: RunIdentity.current, onProgress: onProgress, observer: FaultInjection.observer)
        let summaries = await SignalCancellation.run(logger: logger) {
            await execution.run(prepared, services: services)
        }
        progress?.finish()
        if let payloads, let failure = await payloads.finish() {
            throw Exit.fail("could not write the payload to stdout: \(failure)", Exit.failures)
        }
        if dryRun {
            for summary in summaries {
                for payload in summary.inspected { printLine(payload.jsonObject(force: force).serialized()) }
            }
        }
        await services.notifier?.close()
        await MetricsExport.export(file: metricsFile, pushgateway: pushgateway, environment: configuration.environment, logger: logger)
        let summaryLine = all ? CollectionRunner.combinedJSON(summaries) : summaries[0].json()
        if output != nil { printErrorLine(summaryLine) } else { printLine(summaryLine) }
        if !summaries.allSatisfy(\.succeeded) { throw Exit.failures }
    }
}

/// Finds the password in a connection string so it can be masked, whatever form the string has.
enum ConnectionStringSecrets {
    static func password(in text: String) -> String? {
        var rest = text
        if let scheme = rest.range(of: "://") { rest = String(rest[scheme.upperBound...]) }
        guard let at = rest.lastIndex(of: "@") else { return nil }
        let userInfo = rest[..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return nil }
        let password = String(userInfo[userInfo.index(after: colon)...])
        return password.isEmpty ? nil : password
    }
}

/// Writes payloads to stdout in the order they are handed over, each on the blocking pool (a slow
/// reader of the pipe must not stall the cooperative threads).
final class PayloadWriter: Sendable {
    private let feed: AsyncStream<Data>.Continuation
    private let writer: Task<String?, Never>

    init() {
        let (stream, feed) = AsyncStream<Data>.makeStream()
        self.feed = feed
        writer = Task {
            for await data in stream {
                do {
                    try await BlockingIOPool.shared.run { try FileHandle.standardOutput.write(contentsOf: data) }
                } catch {
                    return "\(error)"
                }
            }
            return nil
        }
    }

    func write(_ data: Data) { feed.yield(data) }

    /// Waits until everything handed over is written; the first write error, if any.
    func finish() async -> String? {
        feed.finish()
        return await writer.value
    }
}
