/// Why a ZIP archive or one of its members could not be read. Each message names the archive's
/// problem and what to do about it.
public enum ZipError: Error, Equatable, CustomStringConvertible {
    /// The bytes are not a ZIP archive at all (an HTML or XML error page sent instead); `excerpt`
    /// is the start of the body, as text.
    case notAZip(excerpt: String)
    /// The archive ends before `member`'s data does: the download was cut off.
    case truncated(member: String?)
    /// No member has this name; `available` lists those there are.
    case memberNotFound(String, available: [String])
    /// A compression method other than stored (0) or DEFLATE (8).
    case unsupportedMethod(member: String, method: Int)
    /// The member's data does not inflate, or its CRC-32 is not the one recorded.
    case corruptMember(member: String, reason: String)

    public var description: String {
        switch self {
        case .notAZip(let excerpt):
            return "the answer is not a ZIP archive (it starts \(excerpt.debugDescription)): the source sent an error page instead of the file; retry later"
        case .truncated(let member):
            let which = member.map { " inside member \($0.debugDescription)" } ?? ""
            return "the ZIP archive is truncated\(which): the download was cut off; retry it"
        case .memberNotFound(let name, let available):
            let listed = available.prefix(10).joined(separator: ", ")
            return "the ZIP archive has no member \(name.debugDescription) (it holds \(available.count): \(listed)\(available.count > 10 ? ", …" : ""))"
        case .unsupportedMethod(let member, let method):
            return "ZIP member \(member.debugDescription) uses compression method \(method); only stored (0) and DEFLATE (8) are read"
        case .corruptMember(let member, let reason):
            return "ZIP member \(member.debugDescription) is corrupt: \(reason); retry the download"
        }
    }
}
