/// What the pipeline does when different content already holds a candidate's storage key.
///
/// The identifier decides which case a collector needs. A snapshot named by its collection minute
/// (`cts_snapshot_20250120_0925.json`) names a moment: different content at that key is another
/// snapshot taken in the same minute, and both are kept. A document named by its day
/// (`cts_20250120.json`) names something the source revises: rerunning the day must leave the newest
/// content at the key, because downstream readers read that key.
public enum ChangedContentPolicy: Sendable, Equatable {
    /// Store the new content beside the old one, under `<identifier>_<sha12>` (see
    /// ``StorageKey/distinctIdentifier(_:sha256:)``); the key keeps its first content.
    case storeBeside
    /// Store the new content at the key; the previous content is kept as an older version (versioned
    /// bucket) or under ``StorageKey/history(of:previousSHA256:)`` (unversioned bucket, local store).
    case replacePrevious
}
