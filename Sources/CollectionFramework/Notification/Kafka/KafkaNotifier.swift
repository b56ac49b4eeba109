import BlockingIO
import CRdKafka
import Foundation
import Logging
import Synchronization

/// Publishes each ``NotificationMessage`` to Kafka with librdkafka: ``publish(_:)`` waits for its
/// delivery report; ``enqueue(_:)`` (what the pipeline uses) does not, and ``settle(dataset:)``
/// waits once at the end of a run and counts the failures, so a broker outage costs one delivery
/// timeout per run instead of one per stored object.
///
/// Key `{dataset}:{urn}`, value ``NotificationMessage/json()``. Any number of tasks may call
/// ``publish(_:)`` at once; each waits only for its own message, on a thread of the
/// ``BlockingIOPool`` (producing and polling librdkafka block). Errors and logs never contain the password.
///
/// Thread safety: `@unchecked Sendable` because of the `rd_kafka_t` handle, which librdkafka's
/// producer API allows any thread to use at once (produce, poll and flush are thread-safe); the
/// notifier's own mutable state (closed, publishes in flight) is in a `Mutex`, and the handle is
/// destroyed only once no publish is in flight.
///
/// ```swift
/// let notifier = try KafkaNotifier(connectionString: "user:pass@broker1:9092,broker2:9092")
/// try await notifier.publish(message)   // throws NotifierError.deliveryFailed after 20 s without a report
/// await notifier.close()
/// ```
public final class KafkaNotifier: Notifier, @unchecked Sendable {
    public let configuration: KafkaConfiguration
    /// The `compression.type` in use: `zstd` unless this librdkafka lacks it (then `lz4` or `none`).
    public let compressionCodec: String
    /// The librdkafka version string, e.g. `2.0.2`.
    public static var librdkafkaVersion: String { String(cString: rd_kafka_version_str()) }

    public var displayName: String { "kafka topic \(configuration.topic) at \(configuration.bootstrapServers)" }

    private let handle: OpaquePointer
    private let tracker: KafkaDeliveryTracker
    private let trackerReference: Unmanaged<KafkaDeliveryTracker>
    private let pool: BlockingIOPool
    private let state = Mutex<(closed: Bool, publishesInFlight: Int)>((false, 0))

    /// Creates the producer. No connection is made until the first publish.
    /// - Throws: ``NotifierError/invalidConfiguration(_:)`` when the configuration or a librdkafka property is rejected.
    public init(configuration: KafkaConfiguration, logger: Logger = Logger(label: "scraper.notification.kafka"),
                pool: BlockingIOPool = .shared) throws {
        try configuration.validate()
        self.pool = pool
        self.configuration = configuration
        let scrub: @Sendable (String) -> String = { configuration.scrub($0) }
        tracker = KafkaDeliveryTracker(logger: logger, scrub: scrub)

        guard let conf = rd_kafka_conf_new() else {
            throw NotifierError.invalidConfiguration("librdkafka could not allocate a configuration")
        }
        do {
            try KafkaNotifier.set(conf, "client.id", "scraper", configuration)
            for property in configuration.producerProperties() {
                try KafkaNotifier.set(conf, property.name, property.value, configuration)
            }
            compressionCodec = try KafkaNotifier.chooseCompression(conf, configuration)
        } catch {
            rd_kafka_conf_destroy(conf)
            throw error
        }
        trackerReference = Unmanaged.passRetained(tracker)
        rd_kafka_conf_set_opaque(conf, trackerReference.toOpaque())
        rd_kafka_conf_set_dr_msg_cb(conf, kafkaDeliveryReportCallback)
        rd_kafka_conf_set_error_cb(conf, kafkaErrorCallback)
        rd_kafka_conf_set_log_cb(conf, kafkaLogCallback)

        var errstr = [CChar](repeating: 0, count: 512)
        guard let rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &errstr, errstr.count) else {
            rd_kafka_conf_destroy(conf)
            trackerReference.release()
            let detail = configuration.scrub(errstr.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
            throw NotifierError.invalidConfiguration("Kafka producer for \(configuration.bootstrapServers) could not be created: \(detail)")
        }
        handle = rk
        logger.debug("Kafka notifier ready: \(configuration) compression.type=\(compressionCodec) librdkafka \(KafkaNotifier.librdkafkaVersion)")
    }

    /// Parses `connectionString` (see ``KafkaConnectionString``) and creates the producer.
    /// - Parameter environment: supplies `SASL_USERNAME` / `SASL_PASSWORD` for the `kafka://` form.
    public convenience init(connectionString: String,
                            environment: [String: String] = ProcessInfo.processInfo.environment,
                            extraProperties: [String: String] = [:],
                            deliveryTimeout: TimeInterval = KafkaConfiguration.defaultDeliveryTimeout,
                            logger: Logger = Logger(label: "scraper.notification.kafka")) throws {
        let configuration = try KafkaConfiguration(parsing: connectionString, environment: environment,
                                                   extraProperties: extraProperties, deliveryTimeout: deliveryTimeout)
        try self.init(configuration: configuration, logger: logger)
    }

    deinit { closeBlocking() }

    /// Produces `message` and waits up to ``KafkaConfiguration/deliveryTimeout`` for its delivery report.
    /// - Throws: ``NotifierError/deliveryFailed(_:)`` naming the topic, the brokers and librdkafka's error.
    /// When the calling task is cancelled meanwhile, the wait ends at the next poll (within 100 ms) with
    /// ``NotifierError/deliveryFailed(_:)``; the message may still be delivered.
    public func publish(_ message: NotificationMessage) async throws {
        let stop = StopFlag()
        try await withTaskCancellationHandler {
            try await pool.run { [self] in try publishBlocking(message, stop: stop) }
        } onCancel: {
            stop.raise()
        }
    }

    /// Waits for publishes in progress, flushes what is queued (up to the delivery timeout) and destroys the producer.
    /// Safe to call more than once; later publishes throw. It runs even when the calling task is
    /// cancelled (a stopping run still flushes what it announced).
    public func close() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            pool.execute { [self] in
                closeBlocking()
                done.resume()
            }
        }
    }

    /// Asks the brokers for cluster metadata (the producer connects for it) and returns how many brokers
    /// the cluster has; throws ``NotifierError/deliveryFailed(_:)`` when none answered within `timeout`
    /// seconds. Runs on the pool: `rd_kafka_metadata` blocks.
    public func checkReachable(timeout: Double = 5) async throws -> Int {
        try await pool.run { [self] in
            try beginPublish()
            defer { endPublish() }
            var metadata: UnsafePointer<rd_kafka_metadata>?
            let error = rd_kafka_metadata(handle, 0, nil, &metadata, Int32(max(1, timeout * 1000)))
            guard error == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
                throw NotifierError.deliveryFailed(configuration.scrub(
                    "Kafka at \(configuration.bootstrapServers) did not answer a metadata request within \(timeout) s: \(String(cString: rd_kafka_err2str(error)))"))
            }
            defer { rd_kafka_metadata_destroy(metadata) }
            return Int(metadata.pointee.broker_cnt)
        }
    }

    /// Produces `message` and returns without waiting for its delivery report: the report is counted
    /// as it arrives (served by later polls, or by ``settle(dataset:)``). Waits only while librdkafka's
    /// local queue is full, up to the delivery timeout.
    /// - Throws: ``NotifierError/deliveryFailed(_:)`` when the message could not be enqueued.
    public func enqueue(_ message: NotificationMessage) async throws {
        let stop = StopFlag()
        try await withTaskCancellationHandler {
            try await pool.run { [self] in
                try beginPublish()
                defer { endPublish() }
                let ticket = tracker.registerQueued(dataset: message.dataset)
                try produce(message, ticket: ticket, deadline: Date().addingTimeInterval(configuration.deliveryTimeout), stop: stop)
                rd_kafka_poll(handle, 0)  // serve reports that are already in, never wait
            }
        } onCancel: {
            stop.raise()
        }
    }

    /// One bounded wait (the delivery timeout) for the reports of the messages of `dataset` enqueued so
    /// far; those still without a report then are given up and counted as undelivered. It runs to its
    /// end even when the calling task is cancelled (a stopping run still learns what it announced).
    public func settle(dataset: String) async -> NotificationSettlement {
        await withCheckedContinuation { (done: CheckedContinuation<NotificationSettlement, Never>) in
            pool.execute { [self] in done.resume(returning: settleBlocking(dataset: dataset)) }
        }
    }

    private func settleBlocking(dataset: String) -> NotificationSettlement {
        if (try? beginPublish()) != nil {
            defer { endPublish() }
            let deadline = Date().addingTimeInterval(configuration.deliveryTimeout)
            while tracker.pendingCount(dataset: dataset) > 0 {
                let remaining = deadline.timeIntervalSinceNow
                if remaining <= 0 { break }
                rd_kafka_poll(handle, Int32(max(1, min(100, remaining * 1000))))
            }
        }
        let (failed, undelivered, lastError) = tracker.settle(dataset: dataset)
        var settlement = NotificationSettlement(failed: failed, undelivered: undelivered, lastError: lastError)
        if settlement.total > 0 {
            var reasons: [String] = []
            if let lastError { reasons.append(lastError) }
            if undelivered > 0 { reasons.append("\(undelivered) without a delivery report within \(KafkaNotifier.seconds(configuration.deliveryTimeout))") }
            settlement.lastError = failure(reasons.joined(separator: "; ")).description
        }
        return settlement
    }

    private func publishBlocking(_ message: NotificationMessage, stop: StopFlag) throws {
        try beginPublish()
        defer { endPublish() }
        let deadline = Date().addingTimeInterval(configuration.deliveryTimeout)
        let ticket = tracker.register()
        try produce(message, ticket: ticket, deadline: deadline, stop: stop)
        try awaitReport(ticket, deadline: deadline, stop: stop)
    }

    /// Enqueues; a full local queue is retried until the deadline while delivery reports are served.
    private func produce(_ message: NotificationMessage, ticket: UInt, deadline: Date, stop: StopFlag) throws {
        let key = Array(message.key.utf8)
        let value = Array(message.json().utf8)
        while true {
            let result = key.withUnsafeBytes { keyBytes in
                value.withUnsafeBytes { valueBytes in
                    scraper_kafka_produce(handle, configuration.topic, keyBytes.baseAddress, keyBytes.count,
                                          valueBytes.baseAddress, valueBytes.count, UnsafeMutableRawPointer(bitPattern: ticket))
                }
            }
            if result == RD_KAFKA_RESP_ERR_NO_ERROR { break }
            if result != RD_KAFKA_RESP_ERR__QUEUE_FULL || Date() >= deadline {
                tracker.abandon(ticket)
                throw failure(KafkaNotifier.describe(result))
            }
            if stop.isRaised {
                tracker.abandon(ticket)
                throw failure("the run is stopping; the message was not enqueued (\(KafkaNotifier.describe(result)))")
            }
            rd_kafka_poll(handle, 50)
        }
    }

    private func awaitReport(_ ticket: UInt, deadline: Date, stop: StopFlag) throws {
        while true {
            if let outcome = tracker.take(ticket) {
                if outcome == RD_KAFKA_RESP_ERR_NO_ERROR { return }
                throw failure(KafkaNotifier.describe(outcome))
            }
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 {
                tracker.abandon(ticket)
                throw failure("no delivery report within \(KafkaNotifier.seconds(configuration.deliveryTimeout))")
            }
            if stop.isRaised {
                tracker.abandon(ticket)
                throw failure("the run is stopping, so no longer waiting for the delivery report (the message may still be delivered)")
            }
            rd_kafka_poll(handle, Int32(max(1, min(100, remaining * 1000))))
        }
    }

    private func closeBlocking() {
        let first = state.withLock { s -> Bool in
            if s.closed { return false }
            s.closed = true
            return true
        }
        guard first else { return }
        // Publishes in flight end within their delivery timeout; serve delivery reports meanwhile.
        while state.withLock({ $0.publishesInFlight }) > 0 { rd_kafka_poll(handle, 10) }

        // Wait only for reports still wanted; messages given up by settle(dataset:) had their one wait.
        let wait = tracker.hasOutstanding ? configuration.deliveryTimeout : 0
        let flushed = rd_kafka_flush(handle, Int32(min(Double(Int32.max), wait * 1000)))
        if flushed != RD_KAFKA_RESP_ERR_NO_ERROR {
            let left = rd_kafka_outq_len(handle)
            tracker.logger.warning("Kafka notifier closing with \(left) undelivered event(s) for \(displayName): \(KafkaNotifier.describe(flushed))")
            rd_kafka_purge(handle, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
            rd_kafka_poll(handle, 0)
        }
        rd_kafka_destroy(handle)
        trackerReference.release()
    }

    // MARK: - Helpers

    private func beginPublish() throws {
        let open = state.withLock { s -> Bool in
            guard !s.closed else { return false }
            s.publishesInFlight += 1
            return true
        }
        guard open else {
            throw failure("the notifier was closed; create a new KafkaNotifier to publish again")
        }
    }

    private func endPublish() {
        state.withLock { $0.publishesInFlight -= 1 }
    }

    private func failure(_ reason: String) -> NotifierError {
        var text = "Kafka delivery to topic \(configuration.topic) at brokers \(configuration.bootstrapServers) failed: \(reason)"
        let clientErrors = tracker.latestClientErrors.filter { !reason.contains($0) }
        if !clientErrors.isEmpty {
            text += " (recent client errors: \(clientErrors.joined(separator: "; ")))"
        }
        return .deliveryFailed(configuration.scrub(text))
    }

    private static func describe(_ error: rd_kafka_resp_err_t) -> String {
        KafkaDeliveryTracker.describe(error)
    }

    private static func seconds(_ value: TimeInterval) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }

    /// Sets one property; the error names the property and, unless it is secret, librdkafka's reason.
    private static func set(_ conf: OpaquePointer, _ name: String, _ value: String,
                            _ configuration: KafkaConfiguration) throws {
        var errstr = [CChar](repeating: 0, count: 512)
        guard rd_kafka_conf_set(conf, name, value, &errstr, errstr.count) != RD_KAFKA_CONF_OK else { return }
        var reason = configuration.scrub(errstr.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        if KafkaConfiguration.isSecretProperty(name) || name == "sasl.password" {
            reason = reason.replacingOccurrences(of: value, with: "***")
        }
        throw NotifierError.invalidConfiguration("librdkafka \(KafkaNotifier.librdkafkaVersion) rejected Kafka property \(name): \(reason)")
    }

    /// Uses `compression.type` from the extra properties if given; else the first codec of the preference
    /// list that this librdkafka accepts (it rejects codecs it was built without).
    private static func chooseCompression(_ conf: OpaquePointer, _ configuration: KafkaConfiguration) throws -> String {
        for name in ["compression.type", "compression.codec"] {
            if let explicit = configuration.extraProperties[name] { return explicit }
        }
        var rejected: [String] = []
        for codec in configuration.compressionPreference {
            var errstr = [CChar](repeating: 0, count: 512)
            if rd_kafka_conf_set(conf, "compression.type", codec, &errstr, errstr.count) == RD_KAFKA_CONF_OK {
                return codec
            }
            rejected.append("\(codec) (\(errstr.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }))")
        }
        throw NotifierError.invalidConfiguration("librdkafka \(KafkaNotifier.librdkafkaVersion) accepts none of the compression codecs: \(rejected.joined(separator: "; "))")
    }
}

/// Set by a task's cancellation handler, read by the poll loop on the pool thread between polls.
private final class StopFlag: Sendable {
    private let raised = Atomic<Bool>(false)
    func raise() { raised.store(true, ordering: .relaxed) }
    var isRaised: Bool { raised.load(ordering: .relaxed) }
}
