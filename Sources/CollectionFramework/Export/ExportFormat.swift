import Foundation

/// How exported rows are written.
public enum ExportFormat: String, Sendable, CaseIterable {
    /// RFC 4180 CSV with a header line; fields with a comma, quote or line break are quoted.
    case csv
    /// One JSON object per line, keys in column order; numbers stay numbers, missing values are null.
    case jsonl

    /// The header line, if the format has one (with its line break).
    public func header(_ columns: [String]) -> String? {
        switch self {
        case .csv: return columns.map(Self.csvField).joined(separator: ",") + "\r\n"
        case .jsonl: return nil
        }
    }

    /// One row, with its line break.
    public func line(_ cells: [ExportValue], columns: [String]) -> String {
        switch self {
        case .csv:
            return cells.map { Self.csvField($0.plainText) }.joined(separator: ",") + "\r\n"
        case .jsonl:
            return JSONObject(zip(columns, cells).map { ($0, $1.jsonValue) }).serialized() + "\n"
        }
    }

    /// Everything: the header and every row.
    public func render(_ result: ExportResult) -> String {
        var text = header(result.columns) ?? ""
        for row in result.rows { text += line(row, columns: result.columns) }
        return text
    }

    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
