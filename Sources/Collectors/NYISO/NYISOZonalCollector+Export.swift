import CollectionFramework
import Foundation

/// `scraper export` for the NYISO zonal LBMP files: one row per zone and interval, with the interval
/// in UTC. NYISO writes local wall time without an offset, so the fall-back hour's repeated stamps
/// are told apart by their order in the file (the first pass is EDT, the second EST), as gridstatus does.
enum NYISOZonalExport {
    static let columns: [ExportColumn] = [
        ExportColumn("interval_start_utc", "start of the interval, UTC"),
        ExportColumn("interval_end_utc", "end of the interval, UTC"),
        ExportColumn("time_stamp", "Time Stamp as written (Eastern prevailing time; real time: the interval end, day ahead: the hour start)"),
        ExportColumn("zone", "Name"),
        ExportColumn("ptid", "PTID"),
        ExportColumn("lbmp", "LBMP, $/MWh"),
        ExportColumn("losses", "marginal cost of losses, $/MWh"),
        ExportColumn("congestion", "marginal cost of congestion as NYISO publishes it, $/MWh (NYISO's sign: LBMP = energy + losses - congestion)"),
    ]

    static func rows(_ payload: Data, market: NYISOZonalMarket, source: ExportSource) throws -> ExportedPayload {
        let s = NYISOZonalSchema.self
        let table = try CSVExportTable(payload, required: [s.stamp, s.name], source: source)
        let priceColumn = { (name: String) in ([name] + s.oldSpellings(name)).first { table.columns[$0] != nil } ?? name }
        let expected = market.expectedIntervals(source.partitionDate)
        // The interval being read: its index in `expected`, stamp and zones so far. A stamp seen again with a
        // zone already read is the next interval of the same label (the fall-back hour's second pass).
        var index = -1
        var groupStamp: String?
        var groupZones: Set<String> = []
        let step = TimeInterval(market.intervalMinutes * 60)
        let rows = table.rows.map { row -> ExportRow in
            let stamp = table.value(row, s.stamp) ?? ""
            let zoneName = table.value(row, s.name) ?? ""
            if stamp != groupStamp || groupZones.contains(zoneName) {
                let from = min(index + 1, expected.count)
                if let found = expected[from...].firstIndex(where: { $0.stamp == stamp }) {
                    index = found
                    groupStamp = stamp
                    groupZones = []
                } else {
                    groupStamp = nil
                }
            }
            var start: Date?
            if groupStamp == stamp, index >= 0 {
                start = expected[index].start
                groupZones.insert(zoneName)
            } else if let instant = WallClockText.instant(stamp, in: NYISOZonalMarket.timeZone) {
                start = market == .realTime ? instant.addingTimeInterval(-step) : instant  // an off-grid or advisory stamp
            }
            let zone = table.value(row, s.name) ?? ""
            return ExportRow(identity: (start.map(UTCTimestamp.iso8601) ?? stamp) + "|" + zone, values: [
                "interval_start_utc": .text(start.map(UTCTimestamp.iso8601)),
                "interval_end_utc": .text(start.map { UTCTimestamp.iso8601($0.addingTimeInterval(step)) }),
                "time_stamp": .text(stamp), "zone": .text(zone), "ptid": .text(table.value(row, s.ptid)),
                "lbmp": .number(table.number(row, priceColumn(s.lbmp))), "losses": .number(table.number(row, priceColumn(s.losses))),
                "congestion": .number(table.number(row, priceColumn(s.congestion))),
            ])
        }
        return ExportedPayload(collectedAt: nil, rows: rows)
    }
}

extension NYISORealTimeZonalLBMPCollector: RowExporting {
    public static let exportColumns = NYISOZonalExport.columns
    public func exportRows(from payload: Data, source: ExportSource) throws -> ExportedPayload {
        try NYISOZonalExport.rows(payload, market: .realTime, source: source)
    }
}

extension NYISODayAheadZonalLBMPCollector: RowExporting {
    public static let exportColumns = NYISOZonalExport.columns
    public func exportRows(from payload: Data, source: ExportSource) throws -> ExportedPayload {
        try NYISOZonalExport.rows(payload, market: .dayAhead, source: source)
    }
}
