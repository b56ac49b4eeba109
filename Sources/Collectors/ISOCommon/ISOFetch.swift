import CollectionFramework
import Foundation

extension HTTPClient {
    /// The whole body of `candidate`'s URL, or nil for HTTP 404 (the ISOs answer a file that is not
    /// posted, or no longer kept, with a plain 404). Other failures throw as ``fetchStream(_:)`` does.
    func bodyUnless404(_ candidate: DownloadCandidate, limit: Int = 512 << 20) async throws -> Data? {
        do {
            return try await fetchStream(candidate).body.collect(limit: limit)
        } catch HTTPError.status(code: 404, _, _, _) {
            return nil
        }
    }
}
