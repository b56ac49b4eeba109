import CollectionFramework
import Foundation

/// A stored CSV payload read back for `scraper export`: its header and rows, with columns found by name.
struct CSVExportTable {
    let columns: [String: Int]
    let rows: [[String]]

    /// Reads `payload`; throws ``ExportError/unreadablePayload(key:reason:)`` when any of `required` is missing.
    init(_ payload: Data, required: [String], source: ExportSource) throws {
        var reader = CSVRecordReader()
        var records = reader.consume(payload)
        if let last = reader.finish() { records.append(last) }
        guard let header = records.first else {
            throw ExportError.unreadablePayload(key: source.key, reason: "the file is empty")
        }
        var columns: [String: Int] = [:]
        for (index, name) in header.enumerated() { columns[name.trimmingCharacters(in: .whitespaces)] = index }
        if let missing = required.first(where: { columns[$0] == nil }) {
            throw ExportError.unreadablePayload(key: source.key, reason: "the header has no column \(missing.debugDescription)")
        }
        self.columns = columns
        rows = records.dropFirst().filter { $0.count == header.count }
    }

    /// The value of `column` in `row`, trimmed.
    func value(_ row: [String], _ column: String) -> String? {
        columns[column].map { row[$0].trimmingCharacters(in: .whitespaces) }
    }

    func number(_ row: [String], _ column: String) -> Double? {
        value(row, column).flatMap(Double.init)
    }
}
