import Foundation

/// Hashes and gzips one payload on a thread of its own while the caller validates it, so the two
/// cores do the pipeline's three CPU-bound stages side by side (gzip is the longest; validation and
/// SHA-256 hide behind it).
///
/// The hash comes first (it is cheap and the dedup check needs it); compression follows and can be
/// abandoned with ``cancel()`` when the payload turns out invalid or already stored, so a duplicate
/// costs at most the part of the compression that overlapped its validation. Payloads below
/// ``minimumBytes`` are handled on the caller's thread, on demand: for them a thread costs more
/// than it saves.
///
/// ```swift
/// let prepared = PayloadPreparation(content, gzipLevel: 6)
/// let verdict = collector.validate(content, for: candidate)     // meanwhile: SHA-256, then gzip
/// let sha = prepared.sha256()
/// let body = try prepared.compressed()                           // or prepared.cancel()
/// ```
final class PayloadPreparation: @unchecked Sendable {
    /// Smallest payload worth a second thread.
    static let minimumBytes = 256 << 10

    private let content: Data
    private let level: Int
    private let condition = NSCondition()
    private var hash: String?
    /// The compressed body; `.success(nil)` when the compression was abandoned.
    private var body: Result<Data?, any Error>?
    private var cancelled = false
    private let background: Bool

    init(_ content: Data, gzipLevel: Int) {
        self.content = content
        self.level = gzipLevel
        background = content.count >= Self.minimumBytes
        guard background else { return }
        let thread = Thread { [self] in work() }
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// The payload's SHA-256 (hex), waiting for the background thread if it is not done yet.
    func sha256() -> String {
        guard background else { return ContentHash.sha256Hex(content) }
        condition.lock()
        defer { condition.unlock() }
        while hash == nil { condition.wait() }
        return hash!
    }

    /// The gzip body, waiting for the background compression to finish; throws if it was cancelled.
    func compressed() throws -> Data {
        guard background else { return try Gzip.compress(content, level: level) }
        condition.lock()
        defer { condition.unlock() }
        while body == nil { condition.wait() }
        guard let data = try body!.get() else { throw GzipError.failed("the compression was cancelled before it finished") }
        return data
    }

    /// Abandons the compression (if still running) and waits until the thread has let go of the payload.
    func cancel() {
        guard background else { return }
        condition.lock()
        cancelled = true
        while body == nil { condition.wait() }
        condition.unlock()
    }

    private var isCancelled: Bool {
        condition.lock()
        defer { condition.unlock() }
        return cancelled
    }

    private func work() {
        let sha = ContentHash.sha256Hex(content)
        condition.lock()
        hash = sha
        condition.broadcast()
        condition.unlock()
        let result: Result<Data?, any Error> = Result {
            try Gzip.compress(content, level: level, unless: { isCancelled })
        }
        condition.lock()
        body = result
        condition.broadcast()
        condition.unlock()
    }
}
