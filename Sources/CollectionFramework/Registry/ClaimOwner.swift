import Foundation

/// Who holds a storing claim: `scraper:{host}:{pid}:{uuid}`.
///
/// A claim normally expires by its TTL when its runner dies. On the same machine we can do better:
/// a claim whose process no longer exists was abandoned (the runner was killed between claim and
/// release), so a new runner may take it over at once instead of skipping the content until the
/// TTL runs out. Claims from other hosts, or in another format, are only ever left to expire.
public enum ClaimOwner {
    static let prefix = "scraper"

    /// This host's name, without ':' (it separates the token's parts).
    static let host: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown-host" }
        let name = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }.replacingOccurrences(of: ":", with: "_")
        return name.isEmpty ? "unknown-host" : name
    }()

    /// A fresh token naming this process.
    public static func token() -> String {
        "\(prefix):\(host):\(getpid()):\(UUID().uuidString)"
    }

    /// True when `token` names a process on this host that no longer exists.
    public static func isAbandoned(_ token: String) -> Bool {
        let parts = token.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == prefix, parts[1] == host, let pid = pid_t(parts[2]), pid > 0 else { return false }
        if pid == getpid() { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }
}
