import ArgumentParser
import CollectionFramework
import Foundation

/// `scraper registry get|delete|count|list|why`: inspect or forget registered hashes.
struct RegistryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry", abstract: "Inspect or forget registered content hashes.",
        subcommands: [Get.self, Delete.self, Count.self, List.self, Why.self])

    /// A registry and one dataset group of it.
    struct Target: ParsableArguments {
        @OptionGroup var backend: Backend
        @Option(name: .customLong("dataset"), help: "Dataset group, e.g. miso_coordinated_transaction_scheduling.")
        var datasetGroup: String

        func registry() async throws -> any HashRegistry { try await backend.registry() }
    }

    /// Which registry: the configuration's, or Redis named by the flags.
    struct Backend: ParsableArguments {
        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("redis-host")) var redisHost: String?
        @Option(name: .customLong("redis-port")) var redisPort: Int?
        @Option(name: .customLong("redis-db")) var redisDB: Int?

        func registry() async throws -> any HashRegistry {
            _ = global.makeLogger()
            let configuration: ScraperConfiguration
            do {
                configuration = try global.loadConfiguration(catalog: CollectorCatalog())
            } catch { throw Exit.fail("\(error)", Exit.usage) }
            var layer = configuration.settings
            if let redisHost { layer.registry.type = .redis; layer.registry.host = redisHost }
            if let redisPort { layer.registry.type = .redis; layer.registry.port = redisPort }
            if let redisDB { layer.registry.db = redisDB }
            if let problem = RedisFlags.ineffectiveDatabase(redisDB, registry: layer.registry) { throw Exit.fail(problem, Exit.usage) }
            SecretRedactor.shared.register(layer.registry.password)
            // The registry the runs of this configuration use (Redis by default beside an S3 bucket).
            do { return try await BackendFactory.makeRegistry(layer.resolvedRegistry(), environment: configuration.environment) } catch {
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

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List registered hashes: when, where stored, by which run.",
            discussion: """
            One JSON object per line (`--format json`: dataset, sha256, s3_path, registered_at, run_id, metadata) \
            or an aligned table, oldest first. Redis is read with SCAN, never KEYS.
            """)
        @OptionGroup var backend: Backend
        @Option(name: .customLong("dataset"), help: "Only this dataset group (default: every group of the environment).")
        var datasetGroup: String?
        @Option(name: .customLong("date-prefix"), help: ArgumentHelp("Only objects stored under this day or month partition (year=/month=/day= of the location).", valueName: "YYYY-MM[-DD]"))
        var datePrefix: String?
        @Option(help: "json or table.")
        var format: String = "table"

        func validate() throws {
            if let datePrefix, PartitionPrefix(datePrefix) == nil {
                throw ValidationError("--date-prefix must be YYYY-MM or YYYY-MM-DD, not \(datePrefix.debugDescription)")
            }
            guard ["json", "table"].contains(format) else { throw ValidationError("--format must be json or table, not \(format.debugDescription)") }
        }

        func run() async throws {
            var hashes = try await listing(backend.registry(), datasetGroup: datasetGroup)
            if let prefix = datePrefix.flatMap(PartitionPrefix.init) { hashes = hashes.filter { prefix.matches($0.record.location) } }
            hashes.sort { ($0.record.registeredAt, $0.datasetGroup, $0.sha256) < ($1.record.registeredAt, $1.datasetGroup, $1.sha256) }
            if format == "json" {
                for hash in hashes { printLine(RegistryListing.json(hash).serialized()) }
            } else {
                printLine(RegistryListing.table(hashes))
            }
        }
    }

    struct Why: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Say whether content is registered: when, where it is stored, by which run.",
            discussion: """
            Give the SHA-256 of the raw content, or a stored object's identifier (its file name, with or without \
            .gz, e.g. cts_20250120.json). Exit 0 when registered, 1 when not.
            """)
        @OptionGroup var backend: Backend
        @Option(name: .customLong("dataset"), help: "Only this dataset group (default: every group of the environment).")
        var datasetGroup: String?
        @Argument(help: "SHA-256 hex of the raw content, or an object's identifier.") var subject: String

        func run() async throws {
            let registry = try await backend.registry()
            let isHash = subject.count == 64 && subject.allSatisfy(\.isHexDigit)
            let matches: [RegisteredHash]
            if isHash {
                let sha = subject.lowercased()
                matches = try await listing(registry, datasetGroup: datasetGroup).filter { $0.sha256 == sha }
            } else {
                let name = subject.hasSuffix(".gz") ? subject : subject + ".gz"
                matches = try await listing(registry, datasetGroup: datasetGroup).filter { $0.record.location.hasSuffix("/" + name) }
            }
            guard !matches.isEmpty else {
                printLine("not registered: no record \(isHash ? "has SHA-256" : "is stored as") \(subject) in \(datasetGroup ?? "any dataset group") of environment \(registry.environment) (\(registry.displayName))")
                throw Exit.failures
            }
            for (index, hash) in matches.enumerated() {
                if index > 0 { printLine("") }
                printLine(RegistryListing.explanation(hash))
            }
        }
    }

    /// The registry's records, as a command error when the registry fails.
    static func listing(_ registry: any HashRegistry, datasetGroup: String?) async throws -> [RegisteredHash] {
        do { return try await registry.list(datasetGroup: datasetGroup) } catch {
            throw Exit.fail("cannot list \(registry.displayName): \(error)", Exit.unavailable)
        }
    }
}

/// `YYYY-MM` or `YYYY-MM-DD`, matched against a location's `year=/month=/day=` partition.
struct PartitionPrefix {
    var year: Int
    var month: Int
    var day: Int?

    init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count), parts[0].count == 4, parts.dropFirst().allSatisfy({ $0.count == 2 }),
              let year = Int(parts[0]), let month = Int(parts[1]), (1...12).contains(month) else { return nil }
        self.year = year
        self.month = month
        if parts.count == 3 {
            guard let day = Int(parts[2]), CalendarDate(iso: text) != nil else { return nil }
            self.day = day
        }
    }

    func matches(_ location: String) -> Bool {
        var partition = String(format: "/year=%04d/month=%02d/", year, month)
        if let day { partition += String(format: "day=%02d/", day) }
        return location.contains(partition)
    }
}

/// How `registry list` and `registry why` print records.
enum RegistryListing {
    static func runID(_ hash: RegisteredHash) -> String? { hash.record.metadata["run_id"]?.stringValue }

    static func json(_ hash: RegisteredHash) -> JSONObject {
        JSONObject([
            ("dataset", .string(hash.datasetGroup)), ("sha256", .string(hash.sha256)),
            ("s3_path", .string(hash.record.location)), ("registered_at", .string(hash.record.registeredAt)),
            ("run_id", runID(hash).map { .string($0) } ?? .null), ("metadata", .object(hash.record.metadata)),
        ])
    }

    static func table(_ hashes: [RegisteredHash]) -> String {
        let header = ["REGISTERED_AT", "DATASET", "SHA256", "RUN", "LOCATION"]
        let rows = hashes.map { [$0.record.registeredAt, $0.datasetGroup, String($0.sha256.prefix(12)), runID($0) ?? "-", $0.record.location] }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            zip(cells, widths).enumerated().map { index, pair in
                index == cells.count - 1 ? pair.0 : pair.0.padding(toLength: pair.1, withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n") + "\n\(hashes.count) record\(hashes.count == 1 ? "" : "s")"
    }

    static func explanation(_ hash: RegisteredHash) -> String {
        """
        registered: yes
        dataset: \(hash.datasetGroup)
        sha256: \(hash.sha256)
        registered_at: \(hash.record.registeredAt)
        stored at: \(hash.record.location)
        run: \(runID(hash) ?? "unknown (the record has no run_id: stored before run ids were recorded, or by the Python framework)")
        """
    }
}
