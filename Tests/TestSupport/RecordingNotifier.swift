import CollectionFramework
import Foundation
import Synchronization

/// A notifier that keeps every message it is given, or refuses them all (`fail`), for pipeline tests.
public final class RecordingNotifier: Notifier, Sendable {
    public let displayName = "recording"
    public let fail: Bool
    private let received = Mutex<[NotificationMessage]>([])

    public init(fail: Bool = false) { self.fail = fail }

    /// The messages published so far, in order.
    public var messages: [NotificationMessage] { received.withLock { $0 } }

    public func publish(_ message: NotificationMessage) async throws {
        if fail { throw NotifierError.deliveryFailed("broker down") }
        received.withLock { $0.append(message) }
    }

    public func close() async {}
}
