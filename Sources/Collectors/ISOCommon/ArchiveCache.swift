import Foundation

/// Downloads each archive once per collector instance, however many candidates read members of it
/// (a 31-day backfill from NYISO's monthly ZIP makes one request, not 31). Concurrent readers of the
/// same URL wait for the one download; a failed download is forgotten so the next reader retries.
/// Keeps the most recent few archives only.
actor ArchiveCache {
    private var entries: [(url: String, task: Task<Data, any Error>)] = []
    private let capacity: Int

    init(capacity: Int = 2) {
        self.capacity = capacity
    }

    /// The archive at `url`, fetched by `download` unless it is already here.
    func data(for url: String, download: @escaping @Sendable () async throws -> Data) async throws -> Data {
        if let entry = entries.first(where: { $0.url == url }) { return try await entry.task.value }
        let task = Task { try await download() }
        entries.append((url, task))
        if entries.count > capacity { entries.removeFirst(entries.count - capacity) }
        do {
            return try await task.value
        } catch {
            entries.removeAll { $0.url == url }
            throw error
        }
    }
}
