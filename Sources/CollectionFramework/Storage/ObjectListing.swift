import Foundation

/// A store that can list its keys: what `scraper export` reads from. S3 needs `s3:ListBucket` for it.
public protocol ObjectListing: ObjectStore {
    /// Every stored object key that starts with `prefix`, sorted, without temporary files.
    func keys(withPrefix prefix: String) async throws -> [String]
}

extension LocalObjectStore: ObjectListing {
    public func keys(withPrefix prefix: String) async throws -> [String] {
        // `keys(under:)` walks a folder: the prefix's own (up to its last `/`; the root when it has none).
        let folder = prefix.lastIndex(of: "/").map { String(prefix[...$0]) } ?? ""
        let listed = try await pool.run { [self] in keys(under: folder) }
        return listed.filter { $0.hasPrefix(prefix) }
    }
}
