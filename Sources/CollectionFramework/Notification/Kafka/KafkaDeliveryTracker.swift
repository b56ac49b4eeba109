import CRdKafka
import Foundation
import Logging
import Synchronization

/// Shared state between ``KafkaNotifier`` and librdkafka's callbacks: which messages are awaited, their
/// delivery outcomes, and the most recent client error (to explain a timeout).
///
/// librdkafka receives an unretained pointer to this object as the handle's opaque; the notifier keeps it
/// alive until `rd_kafka_destroy` has returned. Each produced message carries a numeric ticket (not a
/// pointer) as its opaque, so a report that arrives after `publish` gave up is simply ignored.
final class KafkaDeliveryTracker: Sendable {
    private struct State {
        var nextTicket: UInt = 1
        var awaited: Set<UInt> = []
        var outcomes: [UInt: rd_kafka_resp_err_t] = [:]
        /// Messages enqueued without a waiting caller (``KafkaNotifier/enqueue(_:)``), by ticket: their dataset.
        var queued: [UInt: String] = [:]
        /// Failed delivery reports of queued messages not yet settled, by dataset, with the last error.
        var failures: [String: (count: Int, lastError: String)] = [:]
        /// The most recent distinct client errors, oldest first (a cause such as an authentication failure
        /// stays visible after librdkafka's summary "N/N brokers are down").
        var recentClientErrors: [String] = []
    }
    private let state = Mutex(State())
    private static let recentClientErrorLimit = 3
    let logger: Logger
    private let scrub: @Sendable (String) -> String

    init(logger: Logger, scrub: @escaping @Sendable (String) -> String) {
        self.logger = logger
        self.scrub = scrub
    }

    /// A new ticket whose delivery report will be kept until ``take(_:)`` or ``abandon(_:)``.
    func register() -> UInt {
        state.withLock { s in
            let ticket = s.nextTicket
            s.nextTicket += 1
            s.awaited.insert(ticket)
            return ticket
        }
    }

    /// A new ticket for a message of `dataset` that nobody waits for: its report is only counted.
    func registerQueued(dataset: String) -> UInt {
        state.withLock { s in
            let ticket = s.nextTicket
            s.nextTicket += 1
            s.queued[ticket] = dataset
            return ticket
        }
    }

    /// Called from the delivery-report callback.
    func record(ticket: UInt, error: rd_kafka_resp_err_t) {
        let description = error == RD_KAFKA_RESP_ERR_NO_ERROR ? "" : KafkaDeliveryTracker.describe(error)
        state.withLock { s in
            if s.awaited.contains(ticket) { s.outcomes[ticket] = error }
            if let dataset = s.queued.removeValue(forKey: ticket), error != RD_KAFKA_RESP_ERR_NO_ERROR {
                let count = (s.failures[dataset]?.count ?? 0) + 1
                s.failures[dataset] = (count, description)
            }
        }
    }

    /// Queued messages of `dataset` whose report has not arrived.
    func pendingCount(dataset: String) -> Int {
        state.withLock { s in s.queued.values.reduce(0) { $0 + ($1 == dataset ? 1 : 0) } }
    }

    /// Ends the wait for `dataset`: its reports still missing are given up (a later one is dropped)
    /// and, with the failures reported so far, forgotten. Returns (failed, given up, last error).
    func settle(dataset: String) -> (failed: Int, undelivered: Int, lastError: String?) {
        state.withLock { s in
            let missing = s.queued.filter { $0.value == dataset }.map(\.key)
            for ticket in missing { s.queued.removeValue(forKey: ticket) }
            let failed = s.failures.removeValue(forKey: dataset)
            return (failed?.count ?? 0, missing.count, failed?.lastError)
        }
    }

    /// True while some message's report is still wanted (a waiting publish, or a queued message
    /// not yet settled): closing then flushes, bounded, instead of dropping at once.
    var hasOutstanding: Bool {
        state.withLock { !$0.awaited.isEmpty || !$0.queued.isEmpty }
    }

    static func describe(_ error: rd_kafka_resp_err_t) -> String {
        "\(String(cString: rd_kafka_err2str(error))) (\(String(cString: rd_kafka_err2name(error))))"
    }

    /// The outcome for `ticket` if its report has arrived (the ticket is then forgotten).
    func take(_ ticket: UInt) -> rd_kafka_resp_err_t? {
        state.withLock { s in
            guard let outcome = s.outcomes.removeValue(forKey: ticket) else { return nil }
            s.awaited.remove(ticket)
            return outcome
        }
    }

    /// Stops waiting for `ticket`; a later report for it is dropped.
    func abandon(_ ticket: UInt) {
        state.withLock { s in
            s.awaited.remove(ticket)
            s.outcomes.removeValue(forKey: ticket)
        }
    }

    /// Remembers a client-level error (broker down, authentication failure) for the next failure message.
    func noteClientError(_ message: String) {
        let text = scrub(message)
        state.withLock { s in
            s.recentClientErrors.removeAll { $0 == text }
            s.recentClientErrors.append(text)
            if s.recentClientErrors.count > KafkaDeliveryTracker.recentClientErrorLimit { s.recentClientErrors.removeFirst() }
        }
    }

    /// The recent distinct client-level errors, oldest first, already scrubbed of secrets.
    var latestClientErrors: [String] {
        state.withLock { $0.recentClientErrors }
    }

    /// Logs one librdkafka log line, with any secret removed.
    func log(level: Int32, facility: String, message: String) {
        let text = "librdkafka \(facility): \(scrub(message))"
        // Connection failures (facility FAIL) also reach the error callback, which logs them as warnings.
        switch facility == "FAIL" ? 7 : level {
        case ...3: logger.error("\(text)")
        case 4: logger.warning("\(text)")
        case 5: logger.notice("\(text)")
        case 6: logger.info("\(text)")
        default: logger.debug("\(text)")
        }
    }

    /// Recovers the tracker from librdkafka's handle opaque.
    static func from(_ opaque: UnsafeMutableRawPointer?) -> KafkaDeliveryTracker? {
        opaque.map { Unmanaged<KafkaDeliveryTracker>.fromOpaque($0).takeUnretainedValue() }
    }
}

// MARK: - C callbacks (no captures: state comes through the opaque pointers)

/// `dr_msg_cb`: runs inside `rd_kafka_poll` / `rd_kafka_flush` on the polling thread.
let kafkaDeliveryReportCallback: @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?,
                                                 UnsafeMutableRawPointer?) -> Void = { _, message, opaque in
    guard let message, let tracker = KafkaDeliveryTracker.from(opaque) else { return }
    let ticket = UInt(bitPattern: message.pointee._private)
    tracker.record(ticket: ticket, error: message.pointee.err)
}

/// `error_cb`: client-level errors such as "all brokers are down".
let kafkaErrorCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?,
                                        UnsafeMutableRawPointer?) -> Void = { _, code, reason, opaque in
    guard let tracker = KafkaDeliveryTracker.from(opaque) else { return }
    let text = reason.map { String(cString: $0) } ?? String(cString: rd_kafka_err2str(rd_kafka_resp_err_t(code)))
    tracker.noteClientError(text)
    tracker.log(level: 4, facility: "ERROR", message: text)
}

/// `log_cb`: may run on any librdkafka thread.
let kafkaLogCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?,
                                      UnsafePointer<CChar>?) -> Void = { handle, level, facility, line in
    guard let handle, let tracker = KafkaDeliveryTracker.from(rd_kafka_opaque(handle)) else { return }
    tracker.log(level: level, facility: facility.map { String(cString: $0) } ?? "-",
                message: line.map { String(cString: $0) } ?? "")
}
