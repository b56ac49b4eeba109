/// Thrown by ``Collector/collect(_:using:)`` when the source answers that this candidate does not
/// exist (yet): an SPP interval file that is missing, CAISO's "no data" (code 1000), a day absent from
/// a NYISO monthly archive. The pipeline reports it as ``CandidateOutcome/notPublished(_:)``:
/// listed in the run summary's `not_published_candidates`, counted as
/// `scraper_candidates_total{outcome="not_published"}`, not retried, not a failure, nothing stored.
public struct SourceNotPublished: Error, Sendable, Equatable, CustomStringConvertible {
    /// What the source said, and where: e.g. `RTBM-LMP-SL-202501201030.csv: HTTP 404 (the interval file is missing)`.
    public var reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { "not published: \(reason)" }
}
