import Foundation

/// One thing to download: the Swift form of the Python framework's `DownloadCandidate`.
public struct DownloadCandidate: Sendable, Equatable {
    /// File name the object is stored under (`.gz` is appended by the store), e.g. `cts_20250120.json`.
    public var identifier: String
    /// The address to GET, without the query string.
    public var sourceURL: String
    /// Query parameters, in the order they are sent.
    public var queryParameters: [QueryParameter]
    /// Request headers (the shared HTTP client adds its User-Agent when none is given).
    public var headers: [String: String]
    /// Total time allowed for one attempt, in seconds.
    public var timeout: Double
    /// The day the object is filed under in storage (`year=/month=/day=`).
    public var partitionDate: CalendarDate
    /// Facts about the candidate, copied into the registry record and the notification.
    public var metadata: JSONObject
    /// What was asked for (the day, the filters), for the validator: never read back from the URL.
    public var context: CandidateContext
    /// What happens when different content already holds the key: a snapshot named by its minute
    /// keeps both (``ChangedContentPolicy/storeBeside``, the default); a document the source revises
    /// (a day's forecast) sets ``ChangedContentPolicy/replacePrevious`` so the newest content is at the key.
    public var changedContent: ChangedContentPolicy

    public init(identifier: String, sourceURL: String, queryParameters: [QueryParameter] = [],
                headers: [String: String] = [:], timeout: Double = Defaults.requestTimeout, partitionDate: CalendarDate,
                metadata: JSONObject = [:], context: CandidateContext = CandidateContext(),
                changedContent: ChangedContentPolicy = .storeBeside) {
        self.identifier = identifier
        self.sourceURL = sourceURL
        self.queryParameters = queryParameters
        self.headers = headers
        self.timeout = timeout
        self.partitionDate = partitionDate
        self.metadata = metadata
        self.context = context
        self.changedContent = changedContent
    }

    /// The full URL with its query string, percent-encoded.
    public var url: String {
        guard !queryParameters.isEmpty else { return sourceURL }
        return sourceURL + "?" + queryParameters.map { "\($0.name.urlQueryEncoded)=\($0.value.urlQueryEncoded)" }.joined(separator: "&")
    }
}

/// A `name=value` pair of a query string.
public struct QueryParameter: Sendable, Equatable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

extension String {
    /// Percent-encodes everything but RFC 3986 unreserved characters.
    public var urlQueryEncoded: String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        var out = ""
        for byte in utf8 {
            let scalar = Unicode.Scalar(byte)
            if byte < 0x80, allowed.contains(scalar) { out.unicodeScalars.append(scalar) } else { out += String(format: "%%%02X", byte) }
        }
        return out
    }
}
