/// A SingleZip answer that is an error: CAISO sends these with HTTP 200, as `INVALID_REQUEST.xml`
/// inside a ZIP. Code 1000 ("no data") is not one of these: it becomes ``SourceNotPublished``.
enum CAISOError: Error, Equatable, CustomStringConvertible {
    /// CAISO refused the request with this code and text.
    case refused(code: Int, text: String)
    /// The ZIP holds neither CSV nor a readable error report.
    case unexpectedArchive(members: [String])

    var description: String {
        switch self {
        case .refused(let code, let text):
            return "CAISO OASIS refused the request with code \(code) (\(text)): \(Self.advice(code))"
        case .unexpectedArchive(let members):
            return "the SingleZip answer holds no CSV and no INVALID_REQUEST.xml (members: \(members.joined(separator: ", "))); retry later"
        }
    }

    /// What to change for each documented code (OASIS Interface Specification codes).
    static func advice(_ code: Int) -> String {
        switch code {
        case 1002: return "the window's time format was refused; this is a bug in scraper's request, please report it"
        case 1004: return "a request may span at most 31 days; ask for a shorter range"
        case 1014: return "the start date is beyond what OASIS keeps (about 39 months back); ask for a later date"
        case 1017: return "list at most 10 nodes in the nodes parameter, or use nodes: ALL"
        case 1018: return "an all-node real-time request may span one hour only; scraper asks hour by hour, so check the nodes parameter"
        case 1020: return "the report version is missing or no longer valid; CAISO may have published a new version of the report"
        default: return "see the OASIS Interface Specification for the code; retry later if the request is right"
        }
    }
}

/// Reads CAISO's `m:OASISReport` error document: the first ERR_CODE and ERR_DESC.
enum CAISOErrorReport {
    static func parse(_ xml: String) -> (code: Int, text: String)? {
        guard let code = element("ERR_CODE", in: xml).flatMap({ Int($0) }) else { return nil }
        return (code, element("ERR_DESC", in: xml) ?? "no description")
    }

    /// The text of the first `<prefix:name>` (any namespace prefix).
    private static func element(_ name: String, in xml: String) -> String? {
        guard let open = xml.range(of: #"<([A-Za-z0-9_]+:)?"# + name + #"(\s[^>]*)?>"#, options: .regularExpression),
              let close = xml.range(of: "</", range: open.upperBound..<xml.endIndex) else { return nil }
        return xml[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
