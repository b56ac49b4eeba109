import ArgumentParser
import CollectionFramework
import Collectors
import Foundation

/// `scraper enqueue NAME --date D | --start-date D1 --end-date D2 [filters]`: the candidates of a
/// backfill, one stream entry each, for `scraper worker` processes on any machine.
struct EnqueueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enqueue",
        abstract: "Put a backfill's candidates on the environment's work queue (Redis) for `scraper worker`.",
        discussion: "The last stdout line is {\"enqueued\": N, \"stream\": \"queue:<env>:candidates\"}. Enqueueing a range twice stores nothing twice: the hash registry skips what is already stored.")

    @Argument(help: "Collector name from collectors.yaml (see `scraper list`).")
    var name: String
    @OptionGroup var global: GlobalOptions
    @OptionGroup var redis: QueueRedisOptions
    @Option(name: .long, help: "One operating day (YYYY-MM-DD).")
    var date: String?
    @Option(name: .customLong("start-date"), help: "First day of the range (YYYY-MM-DD).")
    var startDate: String?
    @Option(name: .customLong("end-date"), help: "Last day of the range (YYYY-MM-DD).")
    var endDate: String?
    @Option(name: .customLong("param"), help: ArgumentHelp("A collector parameter (repeatable).", valueName: "name=value"))
    var parameters: [String] = []

    func validate() throws {
        if date != nil && (startDate != nil || endDate != nil) { throw ValidationError("--date cannot be combined with --start-date/--end-date") }
        if date == nil && (startDate == nil || endDate == nil) { throw ValidationError("give --date D, or --start-date D1 and --end-date D2") }
        for (flag, value) in [("--date", date), ("--start-date", startDate), ("--end-date", endDate)] {
            if let value, CalendarDate(iso: value) == nil { throw ValidationError("\(flag) \(value.debugDescription) is not a real date in YYYY-MM-DD form") }
        }
        if let s = startDate.flatMap(CalendarDate.init(iso:)), let e = endDate.flatMap(CalendarDate.init(iso:)), s > e {
            throw ValidationError("--start-date \(s) is after --end-date \(e)")
        }
        do { _ = try ParameterArguments.parse(parameters, aliases: []) } catch { throw ValidationError("\(error)") }
    }

    func run() async throws {
        let logger = global.makeLogger()
        let catalog = CollectorCatalog(BuiltInCollectors.all)
        let configuration: ScraperConfiguration
        do { configuration = try global.loadConfiguration(catalog: catalog) } catch { throw Exit.fail("\(error)", Exit.usage) }
        var settings = configuration.settings
        redis.apply(&settings)
        let entry = try CollectorLookup.entry(named: name, in: configuration, catalog: catalog)
        let days: [CalendarDate]
        if let d = date.flatMap(CalendarDate.init(iso:)) { days = [d] } else {
            days = CalendarDate(iso: startDate!)!.through(CalendarDate(iso: endDate!)!)
        }
        let filters = try ParameterArguments.parse(parameters, aliases: [])
        let runner = CollectionRunner(logger: logger, catalog: catalog)
        var items: [WorkItem] = []
        do {
            for day in days {
                let prepared = try runner.prepare(settings.resolved(entry), request: CollectionRequest(mode: .day(day), filters: filters))
                items += prepared.candidates.map { WorkItem(collector: entry.name, date: day, filters: filters, identifier: $0.identifier) }
            }
        } catch {
            throw Exit.fail("\(error)", Exit.usage)
        }
        let queue = try await QueueConnection.open(settings, environment: configuration.environment)
        let added: Int
        do { added = try await queue.add(items) } catch { throw Exit.fail("cannot enqueue on \(queue.displayName): \(error)", Exit.unavailable) }
        logger.info("enqueued \(added) candidate(s) of \(entry.name) on \(queue.stream)")
        printLine(JSONObject([("enqueued", .int(added)), ("stream", .string(queue.stream))]).serialized())
    }
}
