import Foundation
import Synchronization

/// Remembers every secret the process knows (passwords, AWS secret keys, session tokens) and
/// masks them in any text about to leave the process: log lines, error messages, summaries,
/// printed configuration. A second line of defence: code should not format secrets in the first place.
public final class SecretRedactor: Sendable {
    /// The process-wide redactor used by the log handler and the runner's output.
    public static let shared = SecretRedactor()
    public static let mask = "***"

    private let secrets = Mutex<[String]>([])

    public init() {}

    /// Adds a secret to mask (values shorter than 4 characters are ignored: masking them would
    /// garble ordinary text, and they are too short to be real credentials).
    public func register(_ secret: String?) {
        guard let secret, secret.count >= 4 else { return }
        secrets.withLock { secrets in
            if !secrets.contains(secret) {
                secrets.append(secret)
                let encoded = secret.urlQueryEncoded
                if encoded != secret, !secrets.contains(encoded) { secrets.append(encoded) }
                secrets.sort { $0.count > $1.count }
            }
        }
    }

    /// `text` with every registered secret replaced by `***`.
    public func redact(_ text: String) -> String {
        let current = secrets.withLock { $0 }
        var out = text
        for secret in current where out.contains(secret) {
            out = out.replacingOccurrences(of: secret, with: SecretRedactor.mask)
        }
        return out
    }
}
