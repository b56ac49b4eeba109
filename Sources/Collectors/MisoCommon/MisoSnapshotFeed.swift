import CollectionFramework
import Foundation

/// The one download of a MISO snapshot feed (a feed with no date parameter that always serves the
/// current interval): `{prefix}_snapshot_YYYYMMDD_HHMM.json`, named and partitioned by the collection
/// time on MISO's clock. Day and range requests and any filter are refused before any request.
struct MisoSnapshotFeed: Sendable {
    /// The collector's registered type name, for messages (`miso.exante_lmp`).
    var typeName: String
    /// Identifier prefix (`exante_lmp`).
    var identifierPrefix: String
    /// `data_type` in the candidate metadata (`exante_lmp`).
    var dataType: String
    /// The address to GET.
    var endpoint: String
    /// User agent and timeout come from here.
    var configuration: CollectorConfiguration

    func candidates(for request: CollectionRequest) throws -> [DownloadCandidate] {
        try request.requireSnapshot(collector: typeName)
        try request.requireOnlyFilters([], collector: typeName)
        let stamp = SnapshotStamp(request.collectionTime, in: MisoClock.timeZone)
        let metadata: JSONObject = [
            "data_type": .string(dataType),
            "source": .string("miso"),
            "collection_mode": .string("snapshot"),
            "collected_at": .string(UTCTimestamp.iso8601(request.collectionTime)),
        ]
        return [DownloadCandidate(
            identifier: stamp.identifier(prefix: identifierPrefix), sourceURL: endpoint,
            headers: ["Accept": "application/json", "User-Agent": configuration.userAgent],
            timeout: configuration.requestTimeout, partitionDate: stamp.day, metadata: metadata)]
    }
}
