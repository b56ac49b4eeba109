import Foundation
import Logging

/// Runs queued candidates through the same pipeline as `scraper run`: `scraper worker`.
///
/// Up to ``concurrency`` entries are in progress at once. Each is turned back into its candidate
/// (``WorkItem``) and run; it is acknowledged once stored and registered (or found registered: a
/// duplicate), and left pending otherwise, with its error recorded, so that after ``claimIdle``
/// seconds any worker takes it over (XAUTOCLAIM). An entry delivered more than ``maxDeliveries``
/// times goes to the dead-letter stream. Cancelling the task stops taking entries; the ones in
/// progress finish (a candidate the pipeline did not start stays pending for another worker).
public struct QueueWorker: Sendable {
    public let queue: RedisWorkQueue
    public let runner: CollectionRunner
    /// The configured collectors, by name.
    public let collectors: [String: ResolvedCollector]
    public let services: PipelineServices
    public let consumer: String
    public let concurrency: Int
    public let claimIdle: Double
    public let maxDeliveries: Int
    public let exitWhenEmpty: Bool

    public init(queue: RedisWorkQueue, runner: CollectionRunner, collectors: [String: ResolvedCollector], services: PipelineServices,
                consumer: String, concurrency: Int = 4, claimIdle: Double = 60, maxDeliveries: Int = 5, exitWhenEmpty: Bool = false) {
        self.queue = queue
        self.runner = runner
        self.collectors = collectors
        self.services = services
        self.consumer = consumer
        self.concurrency = max(1, concurrency)
        self.claimIdle = claimIdle
        self.maxDeliveries = max(1, maxDeliveries)
        self.exitWhenEmpty = exitWhenEmpty
    }

    /// What one entry came to.
    enum Outcome: Sendable {
        case acknowledged(RunSummary)
        case leftPending(RunSummary?, error: String)
        case deadLettered(String)
    }

    /// Works until cancelled (or, with ``exitWhenEmpty``, until nothing is pending or new); returns the totals.
    public func run() async throws -> WorkerSummary {
        try await queue.ensureGroup()
        var summary = WorkerSummary(worker: consumer)
        var log = runner.logger
        log[metadataKey: "worker"] = "\(consumer)"
        let logger = log
        try await withThrowingTaskGroup(of: Outcome.self) { group in
            var inFlight = 0
            func absorb(_ outcome: Outcome) { summary.add(outcome) }
            while !Task.isCancelled {
                if inFlight >= concurrency, let outcome = try await group.next() {
                    inFlight -= 1
                    absorb(outcome)
                    continue
                }
                let room = concurrency - inFlight
                var batch = try await queue.claimIdle(consumer: consumer, minIdle: claimIdle, count: room)
                if batch.isEmpty {
                    batch = try await queue.readNew(consumer: consumer, count: room, block: inFlight > 0 ? 0.05 : 0.5)
                }
                if batch.isEmpty {
                    if inFlight > 0, let outcome = try await group.next() {
                        inFlight -= 1
                        absorb(outcome)
                        continue
                    }
                    if exitWhenEmpty, try await queue.length() == 0 { break }
                    continue
                }
                for delivery in batch where !Task.isCancelled {
                    if delivery.item == nil || delivery.deliveries > maxDeliveries {
                        let reason = delivery.item == nil ? "the entry's fields are not a work item: \(delivery.fields)"
                            : "delivered \(delivery.deliveries) times (max_deliveries \(maxDeliveries))"
                        try await queue.deadLetter(delivery, reason: reason)
                        logger.warning("entry \(delivery.id) moved to \(queue.deadLetters): \(reason)")
                        absorb(.deadLettered(reason))
                        continue
                    }
                    inFlight += 1
                    group.addTask { await self.process(delivery, logger) }
                }
            }
            while let outcome = try await group.next() { absorb(outcome) }
        }
        return summary
    }

    /// Runs one entry's candidate; never throws (a failure is the outcome).
    func process(_ delivery: Delivery, _ logger: Logger) async -> Outcome {
        guard let item = delivery.item else { return .deadLettered("malformed") }
        do {
            guard let settings = collectors[item.collector] else {
                throw ConfigError("collector \(item.collector) is not in this worker's configuration")
            }
            let request = CollectionRequest(mode: .day(item.date), filters: item.filters)
            var prepared = try runner.prepare(settings, request: request)
            guard let candidate = prepared.candidates.first(where: { $0.identifier == item.identifier }) else {
                throw ConfigError("collector \(item.collector) no longer makes \(item.identifier) for \(item.date)")
            }
            prepared.candidates = [candidate]
            let result = await runner.run([prepared], services: services)[0]
            if result.collected + result.skippedDuplicate == 1 {
                try await queue.acknowledge(delivery.id)
                return .acknowledged(result)
            }
            let error = result.errors.first?.error ?? (result.notAttempted > 0 ? "not attempted (the worker is stopping)" : "failed")
            try? await queue.recordFailure(delivery.id, error: error)
            return .leftPending(result, error: error)
        } catch {
            logger.error("entry \(delivery.id) (\(item.identifier)): \(error)")
            try? await queue.recordFailure(delivery.id, error: "\(error)")
            return .leftPending(nil, error: "\(error)")
        }
    }

    public typealias Delivery = RedisWorkQueue.Delivery
}

/// The totals `scraper worker` prints as its last stdout line, in `run`'s shape.
public struct WorkerSummary: Sendable {
    public var worker: String
    public var collected = 0
    public var skippedDuplicate = 0
    public var failed = 0
    public var deadLettered = 0
    public var errors: [String] = []

    mutating func add(_ outcome: QueueWorker.Outcome) {
        switch outcome {
        case .acknowledged(let s):
            collected += s.collected
            skippedDuplicate += s.skippedDuplicate
        case .leftPending(_, let error):
            failed += 1
            if errors.count < 20 { errors.append(error) }
        case .deadLettered(let reason):
            deadLettered += 1
            if errors.count < 20 { errors.append(reason) }
        }
    }

    public func json() -> String {
        JSONObject([
            ("total_candidates", .int(collected + skippedDuplicate + failed + deadLettered)),
            ("collected", .int(collected)), ("skipped_duplicate", .int(skippedDuplicate)), ("failed", .int(failed)),
            ("errors", .array(errors.map { .string($0) })), ("dead_lettered", .int(deadLettered)), ("worker", .string(worker)),
        ]).serialized()
    }
}
