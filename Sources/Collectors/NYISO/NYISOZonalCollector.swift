import CollectionFramework
import Foundation

/// A NYISO zonal LBMP collector: everything but its names comes from its ``NYISOZonalFeed``.
protocol NYISOZonalCollector: Collector {
    var feed: NYISOZonalFeed { get }
}

extension NYISOZonalCollector {
    /// One candidate per market day; a snapshot is the latest day NYISO can have posted (today's
    /// real-time file as far as it is written, tomorrow's day-ahead file).
    public func candidates(for request: CollectionRequest) throws -> [DownloadCandidate] {
        try feed.candidates(for: request)
    }

    public func collect(_ candidate: DownloadCandidate, using http: any HTTPClient) async throws -> ContentStream {
        try await feed.collect(candidate, using: http)
    }

    public func streamingValidator(for candidate: DownloadCandidate) -> (any StreamingValidator)? {
        feed.streamingValidator(for: candidate)
    }

    public func validate(_ content: Data, for candidate: DownloadCandidate) -> ValidationResult {
        validateWithStreamingValidator(content, for: candidate)
    }
}
