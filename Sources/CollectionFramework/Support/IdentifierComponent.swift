import Crypto
import Foundation

/// Makes user-supplied text (a node name, a filter value) safe to put in an identifier and so in a
/// storage key: only `A-Z a-z 0-9 _ -` survive, everything else (dots, slashes, `..`, control
/// characters, non-ASCII) becomes `_`, and long values are cut with a hash suffix so two long
/// values never collide.
public enum IdentifierComponent {
    /// Longest component kept as is.
    public static let maxLength = 64

    /// `MISO.PJM.INTERFACE1` → `MISO_PJM_INTERFACE1`; `../../etc` → `______etc`.
    public static func sanitize(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            let ok = scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || scalar == "_" || scalar == "-")
            out.unicodeScalars.append(ok ? scalar : "_")
        }
        if out.isEmpty { out = "_" }
        guard out.count > maxLength else { return out }
        let digest = SHA256.hash(data: Data(text.utf8)).prefix(5).map { String(format: "%02x", $0) }.joined()
        return String(out.prefix(maxLength - 11)) + "_" + digest
    }
}
