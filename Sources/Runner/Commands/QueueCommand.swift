import ArgumentParser
import CollectionFramework
import Collectors
import Foundation

/// `scraper queue status|retry-dead|purge`: the work queue, for operators.
struct QueueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue",
        abstract: "Inspect or drain the environment's work queue.",
        subcommands: [Status.self, RetryDead.self, Purge.self])

    struct Target: ParsableArguments {
        @OptionGroup var global: GlobalOptions
        @OptionGroup var redis: QueueRedisOptions

        func open() async throws -> RedisWorkQueue {
            _ = global.makeLogger()
            let configuration: ScraperConfiguration
            do { configuration = try global.loadConfiguration(catalog: CollectorCatalog(BuiltInCollectors.all)) } catch {
                throw Exit.fail("\(error)", Exit.usage)
            }
            var settings = configuration.settings
            redis.apply(&settings)
            return try await QueueConnection.open(settings, environment: configuration.environment)
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the queue as JSON: length, pending entries per consumer, dead letters, oldest age.")
        @OptionGroup var target: Target
        func run() async throws {
            let queue = try await target.open()
            do { printLine(try await queue.status().json(stream: queue.stream).serialized()) } catch {
                throw Exit.fail("\(error)", Exit.unavailable)
            }
        }
    }

    struct RetryDead: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "retry-dead", abstract: "Put every dead letter back on the queue.")
        @OptionGroup var target: Target
        func run() async throws {
            let queue = try await target.open()
            do { printLine(JSONObject([("requeued", .int(try await queue.retryDeadLetters())), ("stream", .string(queue.stream))]).serialized()) } catch {
                throw Exit.fail("\(error)", Exit.unavailable)
            }
        }
    }

    struct Purge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete the queue, its dead letters and recorded errors (workers should be stopped).")
        @OptionGroup var target: Target
        @Flag(name: .long, help: "Required: purging cannot be undone.")
        var yes = false
        func validate() throws {
            guard yes else { throw ValidationError("purge deletes every queued entry and dead letter: pass --yes to confirm") }
        }
        func run() async throws {
            let queue = try await target.open()
            do {
                let (entries, dead) = try await queue.purge()
                printLine(JSONObject([("purged", .int(entries)), ("dead_letters_purged", .int(dead)), ("stream", .string(queue.stream))]).serialized())
            } catch {
                throw Exit.fail("\(error)", Exit.unavailable)
            }
        }
    }
}
