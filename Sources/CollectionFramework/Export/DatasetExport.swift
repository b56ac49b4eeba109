import Foundation

/// Reads what a collector stored for a range of partition days and turns it into tidy rows.
///
/// Lists the day folders `sourcing/<dgroup>/year=…/month=…/day=…/` (only objects directly in them:
/// rejected payloads and kept history live elsewhere), reads each object, un-gzips it and asks the
/// collector for its rows. A payload the collector cannot read is left out, reported in
/// ``ExportResult/unreadable`` and logged by the caller; it never stops the export.
public struct DatasetExport: Sendable {
    /// The column naming the stored object a row came from (its identifier, without `.gz`).
    public static let snapshotColumn = "snapshot"
    /// The column with the snapshot's collection time, UTC ISO 8601.
    public static let collectedAtColumn = "collected_at"

    /// How rows of overlapping snapshots are resolved.
    public enum Overlap: String, Sendable, CaseIterable {
        /// One row per identity: the one from the newest snapshot (by collection time, then key).
        case latest
        /// Every row of every snapshot, oldest snapshot first within an identity.
        case all
    }

    public let exporter: any RowExporting
    public let store: any ObjectListing
    /// Objects read at once (S3 round trips overlap; a local store barely cares).
    public var concurrency: Int

    public init(exporter: any RowExporting, store: any ObjectListing, concurrency: Int = 4) {
        self.exporter = exporter
        self.store = store
        self.concurrency = max(1, concurrency)
    }

    /// Every column of the output, in order.
    public var columns: [String] {
        type(of: exporter).exportColumns.map(\.name) + [Self.snapshotColumn, Self.collectedAtColumn]
    }

    /// The keys export would read for these partition days, sorted.
    public func keys(for days: [CalendarDate]) async throws -> [(key: String, day: CalendarDate)] {
        var found: [(key: String, day: CalendarDate)] = []
        for day in days {
            let folder = StorageKey.folder(datasetGroup: exporter.datasetGroup, date: day) + "/"
            for key in try await store.keys(withPrefix: folder) {
                let name = key.dropFirst(folder.count)
                guard !name.contains("/"), !name.hasPrefix("."), name.hasSuffix(".gz") else { continue }
                found.append((key, day))
            }
        }
        return found
    }

    /// Reads and resolves the rows. `onProgress(done, total)` is called after each object.
    public func run(days: [CalendarDate], overlap: Overlap,
                    onProgress: @Sendable (Int, Int) -> Void = { _, _ in }) async throws -> ExportResult {
        let keys = try await keys(for: days)
        onProgress(0, keys.count)
        var payloads: [(source: ExportSource, payload: ExportedPayload)] = []
        var unreadable: [ExportError] = []
        let exporter = self.exporter, store = self.store
        try await withThrowingTaskGroup(of: Result<(ExportSource, ExportedPayload), ExportError>.self) { group in
            var next = 0
            func startNext() {
                guard next < keys.count else { return }
                let source = ExportSource(key: keys[next].key, partitionDate: keys[next].day)
                next += 1
                group.addTask { try await Self.read(source, from: store, with: exporter) }
            }
            for _ in 0..<concurrency { startNext() }
            var done = 0
            while let outcome = try await group.next() {
                switch outcome {
                case .success(let read): payloads.append(read)
                case .failure(let problem): unreadable.append(problem)
                }
                done += 1
                onProgress(done, keys.count)
                startNext()
            }
        }
        return ExportResult(columns: columns, rows: Self.resolve(payloads, overlap: overlap, columns: type(of: exporter).exportColumns),
                            objectsRead: payloads.count, unreadable: unreadable.sorted { $0.description < $1.description })
    }

    /// One object's rows, or why it could not be read (a store failure is thrown: it stops the export).
    static func read(_ source: ExportSource, from store: any ObjectListing,
                     with exporter: any RowExporting) async throws -> Result<(ExportSource, ExportedPayload), ExportError> {
        guard let body = try await store.get(key: source.key) else {
            return .failure(.unreadablePayload(key: source.key, reason: "it was listed but is gone"))
        }
        let raw: Data
        do { raw = try Gzip.decompress(body) } catch {
            return .failure(.unreadablePayload(key: source.key, reason: "not a gzip file (\(error))"))
        }
        do {
            return .success((source, try exporter.exportRows(from: raw, source: source)))
        } catch let error as ExportError {
            return .failure(error)
        } catch {
            return .failure(.unreadablePayload(key: source.key, reason: "\(error)"))
        }
    }

    /// Orders rows by identity; `latest` keeps, per identity, the row of the newest snapshot.
    static func resolve(_ payloads: [(source: ExportSource, payload: ExportedPayload)], overlap: Overlap,
                        columns: [ExportColumn]) -> [[ExportValue]] {
        // Oldest snapshot first: collection time, then key (a payload without a time sorts first).
        let ordered = payloads.sorted {
            ($0.payload.collectedAt ?? .distantPast, $0.source.key) < ($1.payload.collectedAt ?? .distantPast, $1.source.key)
        }
        var rows: [(identity: String, order: Int, cells: [ExportValue])] = []
        var latestIndex: [String: Int] = [:]
        for (order, item) in ordered.enumerated() {
            let snapshot = ExportValue.text(item.source.identifier)
            let collected = ExportValue.text(item.payload.collectedAt.map(UTCTimestamp.iso8601))
            for row in item.payload.rows {
                let cells = columns.map { row.values[$0.name] ?? .missing } + [snapshot, collected]
                if overlap == .latest, let index = latestIndex[row.identity] {
                    rows[index] = (row.identity, order, cells)
                } else {
                    latestIndex[row.identity] = rows.count
                    rows.append((row.identity, order, cells))
                }
            }
        }
        return rows.enumerated().sorted {
            ($0.element.identity, $0.element.order, $0.offset) < ($1.element.identity, $1.element.order, $1.offset)
        }.map(\.element.cells)
    }
}

/// What an export read and produced.
public struct ExportResult: Sendable, Equatable {
    public var columns: [String]
    /// Cells in ``columns`` order.
    public var rows: [[ExportValue]]
    /// Stored objects whose rows are in the result.
    public var objectsRead: Int
    /// Objects left out, each with its reason.
    public var unreadable: [ExportError]
}
