import Foundation

/// Makes a new directory entry durable: a file linked or renamed into a folder survives a power loss
/// only once the folder itself is fsynced (POSIX), and a folder created on the way only once its
/// parent is.
enum FolderSync {
    /// Fsyncs `folder`, then each ancestor up to and including `root` that `created` says is new.
    /// Throws ``ObjectStoreError/failed(_:)`` naming the folder when the system refuses.
    static func sync(_ folder: URL, createdBelow root: URL, created: Bool) throws {
        try syncOne(folder)
        guard created else { return }
        let rootPath = root.standardizedFileURL.path
        var current = folder.standardizedFileURL.deletingLastPathComponent()
        while current.path.count >= rootPath.count {
            try syncOne(current)
            if current.path == rootPath { break }
            current = current.deletingLastPathComponent()
        }
    }

    private static func syncOne(_ folder: URL) throws {
        let fd = open(folder.path, O_RDONLY | O_DIRECTORY)
        guard fd >= 0 else {
            throw ObjectStoreError.failed("cannot open folder \(folder.path) to make the stored file durable: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        guard fsync(fd) == 0 else {
            throw ObjectStoreError.failed("cannot fsync folder \(folder.path): \(String(cString: strerror(errno)))")
        }
    }
}
