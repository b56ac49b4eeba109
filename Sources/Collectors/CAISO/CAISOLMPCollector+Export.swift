import CollectionFramework
import Foundation

/// `scraper export` for CAISO LMP: the long format (one row per interval × node × price type)
/// pivoted to one row per interval and node, with the total and its components side by side.
extension CAISOLMPCollector: RowExporting {
    public static let exportColumns: [ExportColumn] = [
        ExportColumn("interval_start_utc", "INTERVALSTARTTIME_GMT"),
        ExportColumn("interval_end_utc", "INTERVALENDTIME_GMT"),
        ExportColumn("trading_day", "OPR_DT: the trading day in Pacific prevailing time"),
        ExportColumn("hour_ending", "OPR_HR: hour of the trading day, from 1"),
        ExportColumn("market", "MARKET_RUN_ID: DAM, RTPD or RTM"),
        ExportColumn("node", "NODE"),
        ExportColumn("lmp", "LMP (LMP_TYPE LMP), $/MWh"),
        ExportColumn("energy", "MCE, $/MWh"),
        ExportColumn("congestion", "MCC, $/MWh"),
        ExportColumn("loss", "MCL, $/MWh"),
        ExportColumn("ghg", "MGHG, greenhouse-gas component, $/MWh"),
    ]

    public func exportRows(from payload: Data, source: ExportSource) throws -> ExportedPayload {
        let header = String(decoding: payload.prefix(1024), as: UTF8.self)
        let valueColumn = ["MW", "VALUE", "PRC"].first { header.contains("," + $0 + ",") } ?? "MW"
        let table = try CSVExportTable(payload, required: [CAISOLMPSchema.start, CAISOLMPSchema.node, CAISOLMPSchema.type, valueColumn],
                                       source: source)
        let columnFor = ["LMP": "lmp", "MCE": "energy", "MCC": "congestion", "MCL": "loss", "MGHG": "ghg"]
        var order: [String] = []
        var pivot: [String: [String: ExportValue]] = [:]
        for row in table.rows {
            let start = table.value(row, CAISOLMPSchema.start) ?? "", node = table.value(row, CAISOLMPSchema.node) ?? ""
            let market = table.value(row, CAISOLMPSchema.marketRun) ?? ""
            let identity = market + "|" + start + "|" + node
            if pivot[identity] == nil {
                order.append(identity)
                pivot[identity] = [
                    "interval_start_utc": .text(CAISOLMPSchema.instant(start).map(UTCTimestamp.iso8601)),
                    "interval_end_utc": .text(table.value(row, CAISOLMPSchema.end).flatMap(CAISOLMPSchema.instant).map(UTCTimestamp.iso8601)),
                    "trading_day": .text(table.value(row, CAISOLMPSchema.tradeDate)),
                    "hour_ending": .number(table.number(row, "OPR_HR")),
                    "market": .text(market), "node": .text(node),
                ]
            }
            if let type = table.value(row, CAISOLMPSchema.type), let column = columnFor[type] {
                pivot[identity]?[column] = .number(table.number(row, valueColumn))
            }
        }
        // Rows arrive unsorted: export them by interval, then node.
        order.sort()
        return ExportedPayload(collectedAt: nil, rows: order.map { ExportRow(identity: $0, values: pivot[$0]!) })
    }
}
