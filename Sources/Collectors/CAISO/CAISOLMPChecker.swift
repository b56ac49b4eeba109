import CollectionFramework
import Foundation

/// The CSV schema of one CAISO LMP report: 16 columns by name (the value column is the market's).
enum CAISOLMPSchema {
    static let start = "INTERVALSTARTTIME_GMT", end = "INTERVALENDTIME_GMT", tradeDate = "OPR_DT"
    static let node = "NODE", marketRun = "MARKET_RUN_ID", type = "LMP_TYPE", item = "XML_DATA_ITEM"
    static let others = ["OPR_HR", "OPR_INTERVAL", "NODE_ID_XML", "NODE_ID", "PNODE_RESMRID", "GRP_TYPE", "POS", "GROUP"]

    static func schema(_ market: CAISOMarket) -> CSVSchema {
        CSVSchema(columns: ([start, end, tradeDate, node, marketRun, type, item, market.valueColumn] + others).map { .init($0) },
                  minimumRows: 1, rowRules: [CSVSchema.numeric(market.valueColumn, rule: "caiso_price")])
    }

    /// `2026-07-14T07:00:00-00:00` → the instant; nil for any other text.
    static func instant(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 25, text.hasSuffix("-00:00") || text.hasSuffix("+00:00"), bytes[4] == 0x2D, bytes[10] == 0x54 else { return nil }
        guard let date = CalendarDate(iso: String(text.prefix(10))),
              let hour = Int(text.dropFirst(11).prefix(2)), let minute = Int(text.dropFirst(14).prefix(2)),
              let second = Int(text.dropFirst(17).prefix(2)), hour < 24, minute < 60, second < 60 else { return nil }
        return MarketDay(date, timeZone: TimeZone(identifier: "UTC")!).start.addingTimeInterval(Double(hour * 3600 + minute * 60 + second))
    }
}

/// Checks a CAISO LMP file across its rows (which arrive unsorted): every row inside the window, on
/// the grid, of the requested trading day and market, unique by interval + node + LMP_TYPE, and a
/// finished window complete for every node present.
struct CAISOLMPChecker: CSVRowChecker {
    let market: CAISOMarket
    let window: CAISOWindow
    let tradeDate: CalendarDate
    /// The nodes asked for, or nil for all nodes.
    let nodes: Set<String>?
    /// Whether the window is over, so every interval must be there.
    let windowFinished: Bool
    private var seen: Set<String> = []
    private var starts: Set<Date> = []
    private var nodesSeen: Set<String> = []

    init(market: CAISOMarket, window: CAISOWindow, tradeDate: CalendarDate, nodes: Set<String>?, windowFinished: Bool) {
        self.market = market
        self.window = window
        self.tradeDate = tradeDate
        self.nodes = nodes
        self.windowFinished = windowFinished
    }

    var labels: [String: String] { ["market": market.rawValue, "complete": windowFinished ? "true" : "false"] }

    mutating func row(_ row: CSVSchema.Row) -> [CSVValidationFailure] {
        var found: [CSVValidationFailure] = []
        func fail(_ rule: String, _ column: String, _ reason: String) {
            found.append(CSVValidationFailure(rule: rule, row: row.number, column: column, value: row[column], reason: reason))
        }
        let step = TimeInterval(market.intervalMinutes * 60)
        guard let start = CAISOLMPSchema.instant(row[CAISOLMPSchema.start]) else {
            fail("caiso_time", CAISOLMPSchema.start, "is not a UTC stamp written YYYY-MM-DDTHH:MM:SS-00:00")
            return found
        }
        if CAISOLMPSchema.instant(row[CAISOLMPSchema.end]).map({ $0.timeIntervalSince(start) }) != step {
            fail("caiso_time", CAISOLMPSchema.end, "is not \(market.intervalMinutes) minutes after the interval start \(row[CAISOLMPSchema.start])")
        }
        if start.timeIntervalSince1970.truncatingRemainder(dividingBy: step) != 0 {
            fail("caiso_grid", CAISOLMPSchema.start, "is off the \(market.intervalMinutes)-minute grid")
        }
        if start < window.start || start >= window.end {
            fail("caiso_window", CAISOLMPSchema.start,
                 "is outside the requested window \(CAISOWindow.queryText(window.start))…\(CAISOWindow.queryText(window.end))")
        }
        if row[CAISOLMPSchema.tradeDate] != tradeDate.description {
            fail("caiso_trade_date", CAISOLMPSchema.tradeDate, "is not the requested trading day \(tradeDate)")
        }
        if row[CAISOLMPSchema.marketRun] != market.rawValue {
            fail("caiso_market", CAISOLMPSchema.marketRun, "is not the requested market \(market.rawValue)")
        }
        let type = row[CAISOLMPSchema.type], node = row[CAISOLMPSchema.node]
        if let item = CAISOMarket.priceTypes[type] {
            if row[CAISOLMPSchema.item] != item { fail("caiso_lmp_type", CAISOLMPSchema.item, "does not go with LMP_TYPE \(type) (\(item))") }
        } else {
            fail("caiso_lmp_type", CAISOLMPSchema.type, "is not one of \(CAISOMarket.priceTypes.keys.sorted().joined(separator: ", "))")
        }
        if let nodes, !nodes.contains(node) {
            fail("caiso_node", CAISOLMPSchema.node, "was not asked for (\(nodes.sorted().joined(separator: ", ")))")
        }
        if !seen.insert("\(start.timeIntervalSince1970)|\(node)|\(type)").inserted {
            fail("caiso_duplicate_row", CAISOLMPSchema.node, "appears twice for \(row[CAISOLMPSchema.start]) \(type)")
        }
        starts.insert(start)
        nodesSeen.insert(node)
        return found
    }

    mutating func finish(rows: Int) -> [CSVValidationFailure] {
        guard windowFinished else { return [] }
        let intervals = Int(window.end.timeIntervalSince(window.start)) / (market.intervalMinutes * 60)
        let expectedRows = intervals * nodesSeen.count * CAISOMarket.priceTypes.count
        guard starts.count != intervals || rows != expectedRows else { return [] }
        return [CSVValidationFailure(
            rule: "caiso_interval_count",
            reason: "has \(rows) rows over \(starts.count) interval(s) for \(nodesSeen.count) node(s); the window has \(intervals) intervals, so \(expectedRows) rows are expected")]
    }
}
