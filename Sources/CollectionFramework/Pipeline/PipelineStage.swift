/// The stages of ``CollectionPipeline`` after which a ``PipelineOptions/observer`` hears about
/// a candidate: the injection point of the crash-safety tests (which kill the process there),
/// and a place for tracing.
public enum PipelineStage: String, Sendable, CaseIterable {
    /// The payload has been downloaded completely.
    case fetch
    /// The object is stored.
    case store
    /// The notification was sent (or failed, which is not fatal).
    case notify
    /// The hash is registered: the candidate is done.
    case register
}

/// Called after each ``PipelineStage`` of each candidate, on the candidate's task.
public typealias PipelineObserver = @Sendable (_ stage: PipelineStage, _ candidate: DownloadCandidate) -> Void
