import CollectionFramework
import Foundation

/// `scraper export` for SPP real-time LMP: one row per settlement location of an interval file, with
/// the interval in UTC from `GMTIntervalEnd`.
extension SPPRealTimeLMPCollector: RowExporting {
    public static let exportColumns: [ExportColumn] = [
        ExportColumn("interval_start_utc", "start of the 5-minute interval, UTC"),
        ExportColumn("interval_end_utc", "end of the interval (GMTIntervalEnd), UTC"),
        ExportColumn("interval_end_central", "Interval as written: the end in Central prevailing time"),
        ExportColumn("location", "settlement location"),
        ExportColumn("pnode", "pricing node"),
        ExportColumn("lmp", "LMP, $/MWh"),
        ExportColumn("energy", "MEC, marginal energy component, $/MWh"),
        ExportColumn("congestion", "MCC, marginal congestion component, $/MWh"),
        ExportColumn("loss", "MLC, marginal loss component, $/MWh"),
        ExportColumn("baa", "balancing authority area (SPP, SWPW), when the file has the column"),
    ]

    public func exportRows(from payload: Data, source: ExportSource) throws -> ExportedPayload {
        let table = try CSVExportTable(payload, required: [SPPIntervalSchema.gmt, SPPIntervalSchema.location], source: source)
        let utc = TimeZone(identifier: "UTC")!
        let rows = table.rows.map { row -> ExportRow in
            let end = table.value(row, SPPIntervalSchema.gmt).flatMap { WallClockText.instant($0, in: utc) }
            let location = table.value(row, SPPIntervalSchema.location) ?? ""
            return ExportRow(identity: (end.map(UTCTimestamp.iso8601) ?? "?") + "|" + location, values: [
                "interval_start_utc": .text(end.map { UTCTimestamp.iso8601($0.addingTimeInterval(-300)) }),
                "interval_end_utc": .text(end.map(UTCTimestamp.iso8601)),
                "interval_end_central": .text(table.value(row, SPPIntervalSchema.interval)),
                "location": .text(location), "pnode": .text(table.value(row, SPPIntervalSchema.pnode)),
                "lmp": .number(table.number(row, "LMP")), "energy": .number(table.number(row, "MEC")),
                "congestion": .number(table.number(row, "MCC")), "loss": .number(table.number(row, "MLC")),
                "baa": .text(table.value(row, "BAA")),
            ])
        }
        return ExportedPayload(collectedAt: nil, rows: rows)
    }
}
