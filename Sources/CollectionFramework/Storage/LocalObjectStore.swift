import BlockingIO
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The embedded default store: objects are files under a root directory, in the same key layout as
/// S3 (`<root>/sourcing/<dgroup>/year=…/…json.gz`).
///
/// Writes are atomic: the body goes to a temporary file in the target folder, is flushed to disk,
/// then hard-linked into place (which fails if the name is taken, so two processes can never
/// clobber each other) or renamed over an identical object when re-storing on `--force`. Newer content
/// that replaces different content (``ObjectPutRequest/replaceDifferent``) is renamed over the key
/// after the previous file is hard-linked to its ``StorageKey/history(of:previousSHA256:)`` key. The
/// file calls (write, fsync, link) run on a ``BlockingIOPool``.
public final class LocalObjectStore: ObjectStore {
    public let root: URL
    let pool: BlockingIOPool

    public init(root: URL, pool: BlockingIOPool = .shared) {
        self.root = root.standardizedFileURL
        self.pool = pool
    }

    public var displayName: String { "local directory \(root.path)" }

    public func location(forKey key: String) -> String {
        "file://" + root.appendingPathComponent(key).path
    }

    public func checkReachable() async throws {
        try await pool.run { [self] in try checkReachableNow() }
    }

    public func put(_ request: ObjectPutRequest) async throws -> StoredObject {
        try await pool.run { [self] in try putNow(request) }
    }

    public func get(key: String) async throws -> Data? {
        try await pool.run { [self] in try getNow(key: key) }
    }

    private func checkReachableNow() throws {
        do {
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        } catch {
            throw ObjectStoreError.failed("cannot create storage directory \(root.path): \(error.localizedDescription); set storage.path to a writable folder")
        }
        guard access(root.path, W_OK) == 0 else {
            throw ObjectStoreError.failed("storage directory \(root.path) is not writable; set storage.path to a writable folder")
        }
    }

    private func putNow(_ request: ObjectPutRequest) throws -> StoredObject {
        let final = try fileURL(forKey: request.key)
        let folder = final.deletingLastPathComponent()
        let folderIsNew = !FileManager.default.fileExists(atPath: folder.path)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw ObjectStoreError.failed("cannot create \(folder.path): \(error.localizedDescription)")
        }
        let temp = folder.appendingPathComponent(".tmp-\(UUID().uuidString)-\(final.lastPathComponent)")
        try writeDurably(request.body, to: temp)
        defer { unlink(temp.path) }

        let stored = StoredObject(key: request.key, location: location(forKey: request.key), versionID: nil,
                                  etag: ContentHash.md5Hex(request.body), size: request.body.count)
        if link(temp.path, final.path) == 0 {
            try FolderSync.sync(folder, createdBelow: root, created: folderIsNew)
            return stored
        }
        guard errno == EEXIST else {
            throw ObjectStoreError.failed("cannot store \(final.path): \(String(cString: strerror(errno)))")
        }
        // The name is taken: identical content is an idempotent success; different content is
        // refused, or replaced after the previous file is linked into the history folder.
        let existing = try existingContentHash(at: final)
        guard existing == request.contentSHA256 else {
            guard request.replaceDifferent, let existing else {
                throw ObjectStoreError.keyTaken(key: request.key, existingSHA256: existing)
            }
            let historyKey = try keepPrevious(at: final, key: request.key, sha256: existing)
            guard rename(temp.path, final.path) == 0 else {
                throw ObjectStoreError.failed("cannot replace \(final.path): \(String(cString: strerror(errno)))")
            }
            var replaced = stored
            replaced.replaced = .historyCopy(key: historyKey, location: location(forKey: historyKey), previousSHA256: existing)
            return replaced
        }
        if request.replaceIdentical {
            guard rename(temp.path, final.path) == 0 else {
                throw ObjectStoreError.failed("cannot replace \(final.path): \(String(cString: strerror(errno)))")
            }
            try FolderSync.sync(folder, createdBelow: root, created: false)
            return stored
        }
        let body = try Data(contentsOf: final)
        return StoredObject(key: request.key, location: stored.location, versionID: nil,
                            etag: ContentHash.md5Hex(body), size: body.count)
    }

    /// Hard-links the file at `final` to its history key (a name already there holds the same content,
    /// since the name carries its hash) and returns that key.
    private func keepPrevious(at final: URL, key: String, sha256: String) throws -> String {
        let historyKey = StorageKey.history(of: key, previousSHA256: sha256)
        let history = try fileURL(forKey: historyKey)
        let folder = history.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw ObjectStoreError.failed("cannot create \(folder.path) to keep the previous \(key): \(error.localizedDescription)")
        }
        guard link(final.path, history.path) == 0 || errno == EEXIST else {
            throw ObjectStoreError.failed("cannot keep the previous \(key) at \(history.path): \(String(cString: strerror(errno)))")
        }
        return historyKey
    }

    private func getNow(key: String) throws -> Data? {
        let url = try fileURL(forKey: key)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do { return try Data(contentsOf: url) } catch {
            throw ObjectStoreError.failed("cannot read \(url.path): \(error.localizedDescription)")
        }
    }

    /// Every stored key under `prefix` (for tests and tooling), sorted; temporary files excluded.
    public func keys(under prefix: String = "") -> [String] {
        let base = root.appendingPathComponent(prefix)
        guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        var keys: [String] = []
        let rootPath = root.path.hasSuffix("/") ? root.path : root.path + "/"
        for case let url as URL in walker {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true,
                  !url.lastPathComponent.hasPrefix(".tmp-") else { continue }
            let path = url.standardizedFileURL.path
            if path.hasPrefix(rootPath) { keys.append(String(path.dropFirst(rootPath.count))) }
        }
        return keys.sorted()
    }

    /// Resolves a key to a file inside the root, refusing keys that would escape it.
    func fileURL(forKey key: String) throws -> URL {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard !key.isEmpty, !key.hasPrefix("/"), parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }),
              !key.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else {
            throw ObjectStoreError.failed("refusing storage key \(key.debugDescription): keys must be relative paths without empty, '.' or '..' segments")
        }
        return root.appendingPathComponent(key)
    }

    private func existingContentHash(at url: URL) throws -> String? {
        guard let body = try? Data(contentsOf: url) else { return nil }
        guard let raw = try? Gzip.decompress(body) else { return nil }
        return ContentHash.sha256Hex(raw)
    }

    private func writeDurably(_ data: Data, to url: URL) throws {
        let fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else {
            throw ObjectStoreError.failed("cannot write \(url.path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var offset = 0
        let failed: Bool = data.withUnsafeBytes { buffer in
            while offset < buffer.count {
                let n = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n <= 0 { return true }
                offset += n
            }
            return false
        }
        if failed || fsync(fd) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(url.path)
            throw ObjectStoreError.failed("cannot write \(url.path): \(reason)")
        }
    }
}
