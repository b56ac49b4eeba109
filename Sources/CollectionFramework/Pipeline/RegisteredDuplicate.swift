import Foundation

extension RegistryRecord {
    /// Metadata key set when newer content replaced this content at its key (UTC time): the content
    /// is kept (an older version, or the history copy `location` then names), but no longer at the key.
    /// An extra metadata key, which the Python framework's schema allows.
    public static let supersededKey = "superseded_at"
}

extension CollectionPipeline {
    /// Whether the registry makes this candidate a duplicate: its content is registered and, for a
    /// document the source revises (``ChangedContentPolicy/replacePrevious``), still the content at
    /// its key. Content that newer content superseded and that the source serves again (a revision
    /// reverted) is stored at the key again.
    func isRegisteredDuplicate(_ candidate: DownloadCandidate, sha256: String) async throws -> Bool {
        let registry = services.registry
        guard candidate.changedContent == .replacePrevious else {
            return try await registry.exists(sha256: sha256, datasetGroup: collector.datasetGroup)
        }
        guard let record = try await registry.get(sha256: sha256, datasetGroup: collector.datasetGroup) else { return false }
        return record.metadata[RegistryRecord.supersededKey] == nil
    }
}
