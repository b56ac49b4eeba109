import ArgumentParser
import CollectionFramework
import Collectors
import Foundation

/// `scraper schedule status|reset`: what `scraper serve` will do next, from collectors.yaml and its state file.
struct ScheduleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule", abstract: "Show or reset the schedules `scraper serve` runs.",
        subcommands: [Status.self, Reset.self])

    /// The configuration and the state file `serve` would use.
    struct Target: ParsableArguments {
        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("state-file"), help: "The serve state file (default: serve.state_path, else beside the embedded registry, as serve).")
        var stateFile: String?

        func load() throws -> (ScraperConfiguration, String) {
            let configuration: ScraperConfiguration
            let path: String
            do {
                configuration = try global.loadConfiguration(catalog: CollectorCatalog(BuiltInCollectors.all))
                path = stateFile ?? configuration.serve.statePath
                    ?? CollectionDaemon.defaultStatePath(registry: configuration.settings.resolvedRegistry(), environment: configuration.environment)
            } catch {
                throw Exit.fail("\(error)", Exit.usage)
            }
            return (configuration, path)
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Next and last run of each enabled collector.",
            discussion: """
            The next run is the schedule's next slot (cron, local time zone), or "at start" when the slot after the \
            last finished run has passed: serve then runs the collector once as soon as it starts. The last run and its \
            outcome come from the serve state file; "never" when it has no entry. Nothing is connected to.
            """)
        @OptionGroup var target: Target
        @Option(help: "table or json (one object per collector).")
        var format: String = "table"

        func validate() throws {
            guard ["json", "table"].contains(format) else { throw ValidationError("--format must be json or table, not \(format.debugDescription)") }
        }

        func run() throws {
            let (configuration, path) = try target.load()
            let state = ScheduleState(path: path)
            if let problem = state.loadProblem { FileHandle.standardError.write(Data("warning: \(problem)\n".utf8)) }
            let now = Date()
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime]
            var rows: [JSONObject] = []
            for entry in configuration.collectors.filter(\.enabled) {
                let resolved = configuration.settings.resolved(entry)
                let text = resolved.effectiveSchedule
                let schedule: CronExpression
                do { schedule = try resolved.cronSchedule() } catch {
                    throw Exit.fail("collectors.\(entry.name).schedule: \(error)", Exit.usage)
                }
                let last = state.entry(for: entry.name)
                let missed = last.flatMap { schedule.next(after: $0.lastFinished) }.map { $0 <= now } ?? false
                let next = schedule.next(after: now)
                rows.append(JSONObject([
                    ("collector", .string(entry.name)), ("schedule", .string(text)),
                    ("next_run", missed ? .string("at start") : next.map { .string(formatter.string(from: $0)) } ?? .null),
                    ("next_slot", next.map { .string(formatter.string(from: $0)) } ?? .null),
                    ("last_started", last.map { .string(formatter.string(from: $0.lastStarted)) } ?? .null),
                    ("last_finished", last.map { .string(formatter.string(from: $0.lastFinished)) } ?? .null),
                    ("last_outcome", .string(last.map { $0.lastSucceeded ? "succeeded" : "failed" } ?? "never")),
                ]))
            }
            if format == "json" {
                for row in rows { printLine(row.serialized()) }
                return
            }
            let header = ["COLLECTOR", "SCHEDULE", "NEXT RUN", "LAST FINISHED", "OUTCOME"]
            let cells = rows.map { row in
                ["collector", "schedule", "next_run", "last_finished", "last_outcome"].map { row[$0]?.stringValue ?? "-" }
            }
            let widths = header.indices.map { column in ([header] + cells).map { $0[column].count }.max() ?? 0 }
            for line in [header] + cells {
                printLine(zip(line, widths).enumerated().map { index, pair in
                    index == line.count - 1 ? pair.0 : pair.0.padding(toLength: pair.1, withPad: " ", startingAt: 0)
                }.joined(separator: "  "))
            }
            printLine("state file: \(path)")
        }
    }

    struct Reset: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Forget a collector's last run in the serve state file.",
            discussion: """
            The next serve then waits for the collector's next slot instead of catching up a missed one. Stop serve \
            first: a running serve keeps its own copy of the state and writes it back after its next finished run. \
            Exit 1 when the state file has no entry for NAME.
            """)
        @OptionGroup var target: Target
        @Argument(help: "Collector name, as in collectors.yaml and `scraper schedule status`.") var name: String

        func run() throws {
            let (_, path) = try target.load()
            let state = ScheduleState(path: path)
            if let problem = state.loadProblem { throw Exit.fail(problem, Exit.failures) }
            let removed: Bool
            do { removed = try state.remove(name) } catch { throw Exit.fail("\(error)", Exit.failures) }
            guard removed else {
                printLine("no entry for \(name) in \(path)")
                throw Exit.failures
            }
            printLine("reset \(name) in \(path)")
        }
    }
}
