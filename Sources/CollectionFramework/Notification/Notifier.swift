import Crypto
import Foundation

/// A `ScraperNotificationMessage`: announces one stored object to downstream loaders.
public struct NotificationMessage: Sendable, Equatable {
    public var dataset: String
    public var environment: String
    /// Identifier without `.gz`.
    public var urn: String
    /// `s3://bucket/key` (or the local location).
    public var location: String
    /// UTC time `YYYYMMDDTHHMMSSZ`.
    public var version: String
    public var etag: String?
    /// `publish_dtm`, `s3_guid`, `url`, `original_file_size`, `original_file_md5sum`, then candidate
    /// metadata, then our additions.
    public var metadata: JSONObject

    /// Message key: `{dataset}:{urn}`.
    public var key: String { "\(dataset):\(urn)" }

    public init(dataset: String, environment: String, urn: String, location: String, version: String,
                etag: String?, metadata: JSONObject) {
        self.dataset = dataset
        self.environment = environment
        self.urn = urn
        self.location = location
        self.version = version
        self.etag = etag
        self.metadata = metadata
    }

    /// Builds the message exactly as the Python framework does, plus our additions in `metadata`.
    public static func make(dataset: String, environment: String, identifier: String, stored: StoredObject,
                            sourceURL: String, rawSize: Int, rawSHA256: String, candidateMetadata: JSONObject,
                            additions: JSONObject, now: Date = Date()) -> NotificationMessage {
        let urn = identifier.hasSuffix(".gz") ? String(identifier.dropLast(3)) : identifier
        let publish = RegistryRecord.timestamp(now)
        let guid = SHA256.hash(data: Data((stored.location + publish).utf8)).map { String(format: "%02x", $0) }.joined()
        var metadata: JSONObject = [
            "publish_dtm": .string(publish),
            "s3_guid": .string(guid),
            "url": .string(sourceURL),
            "original_file_size": .int(rawSize),
            "original_file_md5sum": .string(rawSHA256),
        ]
        metadata.merge(candidateMetadata)
        metadata.merge(additions)
        return NotificationMessage(dataset: dataset, environment: environment, urn: urn, location: stored.location,
                                   version: versionString(now), etag: stored.etag, metadata: metadata)
    }

    /// `YYYYMMDDTHHMMSSZ` in UTC.
    public static func versionString(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }

    /// The message value: JSON with the schema's field order.
    public func json() -> String {
        JSONObject([
            ("dataset", .string(dataset)), ("environment", .string(environment)), ("urn", .string(urn)),
            ("location", .string(location)), ("version", .string(version)),
            ("etag", etag.map { .string($0) } ?? .null), ("metadata", .object(metadata)),
        ]).serialized()
    }
}

/// Announces stored objects (Kafka in production; none by default).
///
/// Implementation requirements: `publish` waits for the delivery report (with a timeout) and
/// throws ``NotifierError`` on failure. The pipeline uses ``enqueue(_:)`` instead, which need not
/// wait (a broker outage must not stall collection), and one ``settle(dataset:)`` at the end of a
/// run, which waits once, bounded, and counts the failures; the pipeline logs and counts every
/// failure, never failing the candidate. Blocking client calls (librdkafka) run on a
/// ``BlockingIOPool``. Errors and logs never contain passwords.
public protocol Notifier: AnyObject, Sendable {
    var displayName: String { get }
    func publish(_ message: NotificationMessage) async throws
    /// Hands `message` over without waiting for its delivery report; throws only when it could not
    /// even be handed over. A failure reported later is counted by ``settle(dataset:)``.
    /// The default publishes (and so waits).
    func enqueue(_ message: NotificationMessage) async throws
    /// Waits once, bounded, for the reports of the messages of `dataset` enqueued so far, and tells
    /// how many failed or never got a report since the last call. The default has nothing to wait for.
    func settle(dataset: String) async -> NotificationSettlement
    /// Flushes and releases resources.
    func close() async
}

extension Notifier {
    public func enqueue(_ message: NotificationMessage) async throws {
        try await publish(message)
    }

    public func settle(dataset: String) async -> NotificationSettlement {
        NotificationSettlement()
    }
}

/// What ``Notifier/settle(dataset:)`` found out at the end of a run.
public struct NotificationSettlement: Sendable, Equatable {
    /// Messages whose delivery report was an error.
    public var failed: Int
    /// Messages still without a report when the bounded wait ended (counted as failed too).
    public var undelivered: Int
    /// The last delivery error, for the log (no secrets).
    public var lastError: String?

    public init(failed: Int = 0, undelivered: Int = 0, lastError: String? = nil) {
        self.failed = failed
        self.undelivered = undelivered
        self.lastError = lastError
    }

    /// Every message that did not make it.
    public var total: Int { failed + undelivered }
}

/// Notification failures.
public enum NotifierError: Error, Equatable, CustomStringConvertible {
    case invalidConfiguration(String)
    case deliveryFailed(String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let m), .deliveryFailed(let m): return m
        }
    }
}
