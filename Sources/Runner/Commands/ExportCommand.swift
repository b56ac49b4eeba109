import ArgumentParser
import BlockingIO
import CollectionFramework
import Collectors
import Foundation
import Logging

/// `scraper export NAME --start-date D1 --end-date D2`: what was stored, as one tidy row per record.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write what a collector stored as tidy rows (CSV or JSON Lines).",
        discussion: """
        Reads the objects stored under the partition days D1..D2 (the local store or S3, as configured; S3 needs \
        s3:ListBucket and s3:GetObject), and writes one row per record with the snapshot it came from and its \
        collection time. Overlapping snapshots are resolved by --latest (the default: the newest snapshot's row \
        per interval and node, hub or constraint) or kept with --all. A progress bar shows on stderr while it \
        reads; the summary JSON is the last line on stderr. An object that cannot be read is named in a warning, \
        counted as unreadable, and left out.
        """)

    @Argument(help: "Collector whose data to export: a name from collectors.yaml or a registered type.")
    var name: String

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "One partition day (YYYY-MM-DD).")
    var date: String?
    @Option(name: .customLong("start-date"), help: "First partition day (YYYY-MM-DD).")
    var startDate: String?
    @Option(name: .customLong("end-date"), help: "Last partition day (YYYY-MM-DD).")
    var endDate: String?
    @Option(help: "csv or jsonl.")
    var format: String = ExportFormat.csv.rawValue
    @Option(name: .shortAndLong, help: ArgumentHelp("Write here (atomically), or - for stdout (the default).", valueName: "FILE|-"))
    var output: String = "-"
    @Flag(help: "How overlapping snapshots are resolved: the newest one's row per record (default), or every row.")
    var overlap: DatasetExport.Overlap = .latest
    @Option(name: .customLong("s3-bucket"), help: "Read from this S3 bucket instead of the configured store.")
    var s3Bucket: String?
    @Option(name: .customLong("aws-profile"), help: "AWS profile for S3 credentials, region and endpoint.")
    var awsProfile: String?

    func validate() throws {
        guard ExportFormat(rawValue: format) != nil else { throw ValidationError("--format must be csv or jsonl, not \(format.debugDescription)") }
        _ = try days()
    }

    /// The partition days the flags name.
    func days() throws -> [CalendarDate] {
        func parse(_ text: String, _ flag: String) throws -> CalendarDate {
            guard let day = CalendarDate(iso: text) else { throw ValidationError("\(flag) must be a date YYYY-MM-DD, not \(text.debugDescription)") }
            return day
        }
        switch (date, startDate, endDate) {
        case (let day?, nil, nil):
            return [try parse(day, "--date")]
        case (nil, let start?, let end?):
            let first = try parse(start, "--start-date"), last = try parse(end, "--end-date")
            guard first <= last else { throw ValidationError("--start-date \(start) is after --end-date \(end)") }
            return first.through(last)
        default:
            throw ValidationError("give --date D, or --start-date D1 and --end-date D2")
        }
    }

    func run() async throws {
        try LibcurlFloor.check()
        let logger = global.makeLogger()
        let catalog = CollectorCatalog(BuiltInCollectors.all)
        let configuration: ScraperConfiguration
        do { configuration = try global.loadConfiguration(catalog: catalog) } catch { throw Exit.fail("\(error)", Exit.usage) }
        let entry = try CollectorLookup.entry(named: name, in: configuration, catalog: catalog)
        var settings = configuration.settings
        if let s3Bucket { settings.storage.type = .s3; settings.storage.bucket = s3Bucket }
        if let awsProfile { settings.storage.profile = awsProfile }
        let collector = settings.resolved(entry)
        let exporter = try makeExporter(collector, catalog: catalog)

        let store: any ObjectStore
        do {
            store = try await BackendFactory.makeStore(try settings.storage.resolved(), http: collector.client)
        } catch let error as ConfigError {
            throw Exit.fail("\(error)", Exit.usage)
        } catch {
            throw Exit.fail("\(error)", Exit.unavailable)
        }
        guard let listing = store as? any ObjectListing else {
            throw Exit.fail(ExportError.listingUnsupported(store: store.displayName).description, Exit.usage)
        }
        let progress = ExportProgress(logger: logger)
        let result: ExportResult
        do {
            result = try await DatasetExport(exporter: exporter, store: listing)
                .run(days: try days(), overlap: overlap) { done, total in progress.update(done: done, total: total) }
        } catch {
            progress.finish()
            throw Exit.fail("cannot read \(store.displayName): \(error)", Exit.unavailable)
        }
        progress.finish()
        for problem in result.unreadable { logger.warning("left out of the export: \(problem)") }

        let chosen = ExportFormat(rawValue: format) ?? .csv
        let text = chosen.render(result)
        do { try await write(text) } catch { throw Exit.fail("\(ExportError.outputFailed("\(error)"))", Exit.failures) }
        let summary: JSONObject = [
            "collector": .string(entry.name), "format": .string(chosen.rawValue), "overlap": .string(overlap.rawValue),
            "objects_read": .int(result.objectsRead), "unreadable": .int(result.unreadable.count),
            "rows": .int(result.rows.count), "output": .string(output),
        ]
        printErrorLine(summary.serialized())
    }

    /// The collector, when its type can export.
    private func makeExporter(_ settings: ResolvedCollector, catalog: CollectorCatalog) throws -> any RowExporting {
        guard let type = catalog.type(named: settings.type) else {
            throw Exit.fail("collector \(settings.name) has unknown type \(settings.type)", Exit.usage)
        }
        guard let exportable = type as? any RowExporting.Type else {
            throw Exit.fail(ExportError.notExportable(type: settings.type).description, Exit.usage)
        }
        do {
            return try exportable.init(configuration: settings.collectorConfiguration)
        } catch {
            throw Exit.fail("collector \(settings.name): \(error)", Exit.usage)
        }
    }

    /// To stdout, or to a file through a temporary file renamed into place (`Data.write`'s `.atomic`).
    private func write(_ text: String) async throws {
        let data = Data(text.utf8)
        let output = self.output
        try await BlockingIOPool.shared.run {
            if output == "-" {
                try FileHandle.standardOutput.write(contentsOf: data)
            } else {
                try data.write(to: URL(fileURLWithPath: output), options: .atomic)
            }
        }
    }
}

extension DatasetExport.Overlap: EnumerableFlag {
    public static func help(for value: Self) -> ArgumentHelp? {
        switch value {
        case .latest: return "Keep the newest snapshot's row per record (default)."
        case .all: return "Keep every row of every snapshot."
        }
    }
}
