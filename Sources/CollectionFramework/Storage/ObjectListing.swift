import Foundation

/// A store that can list its keys: what `scraper export` reads from. S3 needs `s3:ListBucket` for it.
public protocol ObjectListing: ObjectStore {
    /// Every stored object key that starts with `prefix`, sorted, without temporary files.
    func keys(withPrefix prefix: String) async throws -> [String]
}

extension LocalObjectStore: ObjectListing {
    public func keys(withPrefix prefix: String) async throws -> [String] {
        // `keys(under:)` walks a folder, so list the prefix's folder and keep the names that match.
        let folder = prefix.hasSuffix("/") || !prefix.contains("/") ? prefix : String(prefix[..<prefix.lastIndex(of: "/")!]) + "/"
        let listed = try await pool.run { [self] in keys(under: folder) }
        return listed.filter { $0.hasPrefix(prefix) }
    }
}
