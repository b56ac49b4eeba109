import Foundation

/// Who holds a storing claim:
/// `scraper:{host}:{pid}:{boot id}:{pid namespace}:{run id}:{uuid}`.
///
/// A claim normally expires by its TTL when its runner dies. On the same machine we can do better:
/// a claim whose process provably no longer exists was abandoned (the runner was killed between
/// claim and release), so a new runner may take it over at once instead of skipping the content
/// until the TTL runs out.
///
/// "Provably" is strict, because host names repeat across containers and pids repeat across
/// pid namespaces and reboots: the claim must name this host, this boot (`/proc/sys/kernel/random/boot_id`)
/// and this pid namespace, and `kill(pid, 0)` must say the process is gone. Anything else (another
/// host, another container, a reboot since, the older `scraper:{host}:{pid}:{uuid}` format, an
/// unreadable boot id) is only ever left to expire. The random run id tells two runners apart even
/// when everything else matches.
public enum ClaimOwner {
    static let prefix = "scraper"

    /// What a claim token says about its owner.
    public struct Identity: Sendable, Equatable {
        public var host: String
        public var pid: pid_t
        /// The kernel's boot id (no ':'), or `unknown` where it cannot be read.
        public var bootID: String
        /// The pid namespace's inode number, or `unknown`.
        public var pidNamespace: String
        /// Random per process.
        public var runID: String

        public init(host: String, pid: pid_t, bootID: String, pidNamespace: String, runID: String) {
            self.host = host
            self.pid = pid
            self.bootID = bootID
            self.pidNamespace = pidNamespace
            self.runID = runID
        }

        /// This process.
        public static let current = Identity(host: ClaimOwner.host, pid: getpid(), bootID: ClaimOwner.bootID,
                                             pidNamespace: ClaimOwner.pidNamespace, runID: ClaimOwner.runID)

        /// A fresh claim token naming this owner.
        public func token() -> String {
            "\(ClaimOwner.prefix):\(host):\(pid):\(bootID):\(pidNamespace):\(runID):\(UUID().uuidString)"
        }

        /// Reads a token in the current format; nil for any other shape.
        public init?(token: String) {
            let parts = token.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 7, parts[0] == ClaimOwner.prefix, let pid = pid_t(parts[2]), pid > 0 else { return nil }
            self.init(host: parts[1], pid: pid, bootID: parts[3], pidNamespace: parts[4], runID: parts[5])
        }
    }

    /// This host's name, without ':' (it separates the token's parts).
    static let host: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown-host" }
        let name = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return name.isEmpty ? "unknown-host" : sanitized(name)
    }()

    /// The kernel's id of this boot; `unknown` where there is none (then no claim is ever taken over).
    static let bootID: String = {
        guard let text = try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8) else { return unknown }
        let id = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return id.isEmpty ? unknown : sanitized(id)
    }()

    /// The inode of this process's pid namespace (`/proc/self/ns/pid` -> `pid:[4026531836]`), or `unknown`.
    static let pidNamespace: String = {
        guard let link = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/pid") else { return unknown }
        let digits = link.filter(\.isNumber)
        return digits.isEmpty ? unknown : digits
    }()

    /// Random, once per process.
    static let runID = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16).description

    static let unknown = "unknown"

    private static func sanitized(_ text: String) -> String {
        text.replacingOccurrences(of: ":", with: "_")
    }

    /// A fresh token naming this process.
    public static func token() -> String {
        Identity.current.token()
    }

    /// True when `token` names a process of this host, boot and pid namespace that no longer exists.
    public static func isAbandoned(_ token: String) -> Bool {
        isAbandoned(token, judgedBy: .current)
    }

    /// The rule of ``isAbandoned(_:)`` as seen by `observer` (whose pid table is this process's).
    public static func isAbandoned(_ token: String, judgedBy observer: Identity) -> Bool {
        guard let owner = Identity(token: token) else { return false }
        guard owner.host == observer.host,
              owner.bootID == observer.bootID, owner.bootID != unknown,
              owner.pidNamespace == observer.pidNamespace, owner.pidNamespace != unknown else { return false }
        if owner.pid == observer.pid && owner.runID == observer.runID { return false }
        return kill(owner.pid, 0) != 0 && errno == ESRCH
    }
}
