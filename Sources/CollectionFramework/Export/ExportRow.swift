import Foundation

/// One tidy row a collector makes from a stored payload.
public struct ExportRow: Sendable, Equatable {
    /// What the row describes, independent of the snapshot it came from: rows of overlapping
    /// snapshots with the same identity are resolved by `--latest`. Make it sort in time order
    /// (e.g. `<interval start UTC ISO 8601>|<node>`), because export writes rows in identity order.
    public var identity: String
    /// The cells by column name; a column the collector declares but the row lacks is written as missing.
    public var values: [String: ExportValue]

    public init(identity: String, values: [String: ExportValue]) {
        self.identity = identity
        self.values = values
    }
}

/// The rows of one stored payload and when it was collected.
public struct ExportedPayload: Sendable, Equatable {
    /// When the payload was collected, from the payload itself or its snapshot name; nil when
    /// neither says (export then orders such payloads before every dated one).
    public var collectedAt: Date?
    public var rows: [ExportRow]

    public init(collectedAt: Date?, rows: [ExportRow]) {
        self.collectedAt = collectedAt
        self.rows = rows
    }
}

/// A column of a collector's export.
public struct ExportColumn: Sendable, Equatable {
    public var name: String
    /// One line for `scraper export --help`-style listings and docs.
    public var help: String

    public init(_ name: String, _ help: String) {
        self.name = name
        self.help = help
    }
}

/// Where a payload being exported is stored.
public struct ExportSource: Sendable, Equatable {
    /// The object's key, e.g. `sourcing/<dgroup>/year=2025/month=01/day=20/cts_20250120.json.gz`.
    public var key: String
    /// The partition day the key is filed under.
    public var partitionDate: CalendarDate

    public init(key: String, partitionDate: CalendarDate) {
        self.key = key
        self.partitionDate = partitionDate
    }

    /// The object's file name without `.gz`, e.g. `cts_snapshot_20250120_0905.json`.
    public var identifier: String {
        let name = key.split(separator: "/").last.map(String.init) ?? key
        return name.hasSuffix(".gz") ? String(name.dropLast(3)) : name
    }
}
