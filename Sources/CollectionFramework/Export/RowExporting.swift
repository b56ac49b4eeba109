import Foundation

/// A collector whose stored payloads can be exported as tidy rows (`scraper export`).
///
/// Implement it to give a collector export: declare the columns once, and turn one raw payload
/// (already un-gzipped) into rows. The framework lists the stored objects of the date range, reads
/// them from the local store or S3 alike, resolves overlapping snapshots (`--latest` keeps the row
/// of the newest snapshot per ``ExportRow/identity``) and writes CSV or JSON Lines, adding the
/// columns ``DatasetExport/snapshotColumn`` and ``DatasetExport/collectedAtColumn`` to every row.
///
/// Requirements:
/// - `exportRows` never crashes, whatever the bytes: a payload it cannot read throws
///   ``ExportError/unreadablePayload(key:reason:)`` (export reports it and goes on).
/// - Every shape the collector stores (e.g. MISO's documented and live shapes) maps onto
///   ``exportColumns``; columns a shape lacks are left missing.
public protocol RowExporting: Collector {
    /// The columns, in output order, without the two the framework adds.
    static var exportColumns: [ExportColumn] { get }
    /// The rows of one stored payload.
    func exportRows(from payload: Data, source: ExportSource) throws -> ExportedPayload
}

/// Why an export could not go on, or what it had to leave out.
public enum ExportError: Error, Equatable, CustomStringConvertible {
    /// The collector type has no row mapping.
    case notExportable(type: String)
    /// A stored payload is not what the collector stores; it is left out and counted.
    case unreadablePayload(key: String, reason: String)
    /// The store cannot list its objects.
    case listingUnsupported(store: String)
    /// Writing the output failed.
    case outputFailed(String)

    public var description: String {
        switch self {
        case .notExportable(let type):
            return "collector type \(type) has no export mapping yet: it would implement RowExporting (see docs/adding-a-collector.md)"
        case .unreadablePayload(let key, let reason):
            return "cannot read \(key): \(reason)"
        case .listingUnsupported(let store):
            return "\(store) cannot list its objects, so nothing can be exported from it"
        case .outputFailed(let message):
            return "cannot write the export: \(message)"
        }
    }
}
