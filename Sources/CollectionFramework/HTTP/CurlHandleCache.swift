import CCurl
import Synchronization

/// Easy handles kept between transfers, so their connections (keep-alive, TLS sessions) and DNS
/// answers are reused: a 30-day backfill opens a handful of TCP connections instead of one per day.
///
/// A handle is used by one transfer at a time: ``take()`` hands it out, ``giveBack(_:)`` resets its
/// options (`curl_easy_reset` keeps live connections and caches) and keeps it for the next one, up to
/// ``capacity``; beyond that it is cleaned up.
final class CurlHandleCache: Sendable {
    static let shared = CurlHandleCache(capacity: 32)

    /// An easy handle as a value the cache may hold under its lock. Only the transfer that took it
    /// uses it, so it is never touched from two threads at once.
    private struct Handle: @unchecked Sendable {
        let pointer: UnsafeMutableRawPointer
    }

    let capacity: Int
    private let idle = Mutex<[Handle]>([])

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// A kept handle, or a new one (nil only when libcurl cannot make one).
    func take() -> UnsafeMutableRawPointer? {
        if let kept = idle.withLock({ $0.popLast() }) { return kept.pointer }
        return curl_easy_init()
    }

    /// Resets `handle` and keeps it for the next transfer, or cleans it up when the cache is full.
    func giveBack(_ handle: UnsafeMutableRawPointer) {
        curl_easy_reset(handle)
        let kept = idle.withLock { handles -> Bool in
            guard handles.count < capacity else { return false }
            handles.append(Handle(pointer: handle))
            return true
        }
        if !kept { curl_easy_cleanup(handle) }
    }
}
