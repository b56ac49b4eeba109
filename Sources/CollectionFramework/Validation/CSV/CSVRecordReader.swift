import Foundation

/// Reads RFC 4180 CSV as it arrives, chunk by chunk: fields separated by commas, optionally quoted
/// (`"a, b"`, `"say ""hi"""`), records ended by CRLF or LF. A chunk may end anywhere, even inside a
/// quoted field; the record is completed by the next chunk. Memory is one record, not the file.
public struct CSVRecordReader: Sendable {
    private var field: [UInt8] = []
    private var fields: [String] = []
    private var inQuotes = false
    private var quoteSeen = false       // a quote inside a quoted field: the end, or the first of ""
    private var pendingCR = false
    private var recordHasContent = false
    /// Records completed so far (1 is the header).
    public private(set) var recordsRead = 0

    public init() {}

    /// Feeds `chunk`; returns the records it completed, in order.
    public mutating func consume(_ chunk: Data) -> [[String]] {
        var records: [[String]] = []
        for byte in chunk { step(byte, into: &records) }
        return records
    }

    /// The last record when the input did not end with a line break; nil when it did.
    public mutating func finish() -> [String]? {
        if quoteSeen { inQuotes = false; quoteSeen = false }
        guard recordHasContent || !field.isEmpty || !fields.isEmpty else { return nil }
        var records: [[String]] = []
        endRecord(into: &records)
        return records.first
    }

    /// True when the input ended inside a quoted field (a truncated file).
    public var isInsideQuotes: Bool { inQuotes && !quoteSeen }

    private mutating func step(_ byte: UInt8, into records: inout [[String]]) {
        if inQuotes {
            if quoteSeen {
                quoteSeen = false
                if byte == UInt8(ascii: "\"") { field.append(byte); return }   // "" is a quote
                inQuotes = false                                               // the closing quote
            } else if byte == UInt8(ascii: "\"") {
                quoteSeen = true
                return
            } else {
                field.append(byte)
                return
            }
        }
        switch byte {
        case UInt8(ascii: ","):
            endField()
        case UInt8(ascii: "\n"):
            endRecord(into: &records)
        case UInt8(ascii: "\r"):
            pendingCR = true      // dropped; the LF that follows ends the record
        case UInt8(ascii: "\"") where field.isEmpty:
            inQuotes = true
            recordHasContent = true
        default:
            if pendingCR { field.append(UInt8(ascii: "\r")) }
            field.append(byte)
            recordHasContent = true
        }
        if byte != UInt8(ascii: "\r") { pendingCR = false }
    }

    private mutating func endField() {
        fields.append(String(decoding: field, as: UTF8.self))
        field.removeAll(keepingCapacity: true)
        recordHasContent = true
    }

    private mutating func endRecord(into records: inout [[String]]) {
        if recordHasContent || !field.isEmpty {
            endField()
            records.append(fields)
            recordsRead += 1
        }
        fields.removeAll(keepingCapacity: true)
        recordHasContent = false
    }
}
