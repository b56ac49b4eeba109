import CollectionFramework
import Foundation

/// The CSV schema of a day-ahead file: the eight columns of the real-time interval files, by name.
///
/// That the DA file has the RT file's header is taken from the reference's description of the file
/// browser's CSVs; the DA header itself is not quoted there. The optional `BAA` column (added with
/// RTO West, its place differs between sources [U]) is not required and never read by position. The
/// RT *daily* rollup's spellings (`GMT Interval`, `Settlement Location Name`, `PNODE Name`) are
/// accepted as alternatives in case the DA file, also under `By_Day`, shares them (*unconfirmed*).
enum SPPDayAheadSchema {
    static let interval = "Interval", gmt = "GMTIntervalEnd", location = "Settlement Location", pnode = "Pnode"
    static let prices = ["LMP", "MLC", "MCC", "MEC"]

    static let schema = CSVSchema(
        columns: [CSVSchema.Column(interval), CSVSchema.Column(gmt, alternatives: ["GMT Interval"]),
                  CSVSchema.Column(location, alternatives: ["Settlement Location Name"]), CSVSchema.Column(pnode, alternatives: ["PNODE Name"])]
            + prices.map { CSVSchema.Column($0) },
        minimumRows: 1,
        rowRules: prices.map { SPPDayAheadSchema.finite($0) })

    /// A price column holds a finite decimal number (`CSVSchema.numeric` would take `nan` and `inf`,
    /// which `Double(_:)` parses; `MisoTimeText.decimal` refuses them).
    static func finite(_ column: String) -> @Sendable (CSVSchema.Row) -> CSVValidationFailure? {
        { row in
            let value = row[column]
            guard MisoTimeText.decimal(value.trimmingCharacters(in: .whitespaces)) == nil else { return nil }
            return CSVValidationFailure(rule: SPPDayAheadRule.price, row: row.number, column: column, value: value,
                                        reason: "is not a finite decimal number")
        }
    }
}

/// Checks across the rows of one day-ahead file: every row is an hour of the market day, each
/// settlement location once per hour, each location with every hour of the day, and (a warning) the
/// price components adding up to the LMP.
struct SPPDayAheadChecker: CSVRowChecker {
    let file: SPPDayAheadFile
    /// `GMTIntervalEnd` texts (with and without seconds) → the hour's index in the day.
    private let hourOfUTCText: [String: Int]
    /// For each hour, the `Interval` texts accepted.
    private let localTexts: [Set<String>]
    private let firstUTC: String
    private let lastUTC: String
    /// Hours seen, by settlement location, and the order locations first appeared in.
    private var hours: [String: Set<Int>] = [:]
    private var order: [String] = []

    init(file: SPPDayAheadFile) {
        self.file = file
        let ends = file.hourEnds
        var byText: [String: Int] = [:]
        var local: [Set<String>] = []
        for (index, end) in ends.enumerated() {
            for seconds in [true, false] { byText[WallClockText.format(end, in: SPPDayAheadFile.utc, seconds: seconds)] = index }
            var texts = Set([true, false].map { WallClockText.format(end, in: SPPDayAheadFile.timeZone, seconds: $0) })
            if index == ends.count - 1 {
                // The last hour ends at the next midnight: `MM/DD+1/YYYY 00:00` or `MM/DD/YYYY 24:00` (unconfirmed which).
                let day = String(format: "%02d/%02d/%04d 24:00", file.day.month, file.day.day, file.day.year)
                texts.formUnion([day, day + ":00"])
            }
            local.append(texts)
        }
        hourOfUTCText = byText
        localTexts = local
        firstUTC = ends.first.map { WallClockText.format($0, in: SPPDayAheadFile.utc, seconds: true) } ?? "?"
        lastUTC = ends.last.map { WallClockText.format($0, in: SPPDayAheadFile.utc, seconds: true) } ?? "?"
    }

    mutating func row(_ row: CSVSchema.Row) -> [CSVValidationFailure] {
        var found: [CSVValidationFailure] = []
        func fail(_ rule: String, _ column: String, _ reason: String) {
            found.append(CSVValidationFailure(rule: rule, row: row.number, column: column, value: row[column], reason: reason))
        }
        let location = row[SPPDayAheadSchema.location].trimmingCharacters(in: .whitespaces)
        let gmt = row[SPPDayAheadSchema.gmt].trimmingCharacters(in: .whitespaces)
        if let hour = hourOfUTCText[gmt] {
            let local = row[SPPDayAheadSchema.interval].trimmingCharacters(in: .whitespaces)
            if !localTexts[hour].contains(local) {
                let expected = localTexts[hour].sorted().first { $0.count == 19 && !$0.contains(" 24:") } ?? "?"
                fail(SPPDayAheadRule.interval, SPPDayAheadSchema.interval,
                     "is not the hour end \(gmt) UTC in Central prevailing time (\(expected))")
            }
            if hours[location] == nil { order.append(location) }
            if !hours[location, default: []].insert(hour).inserted {
                fail(SPPDayAheadRule.duplicateRow, SPPDayAheadSchema.location, "appears twice for the hour ending \(gmt) UTC")
            }
        } else if WallClockText.parse(gmt) == nil {
            fail(SPPDayAheadRule.gmtInterval, SPPDayAheadSchema.gmt, "is not a time written MM/DD/YYYY HH:MM[:SS]")
        } else {
            fail(SPPDayAheadRule.gmtInterval, SPPDayAheadSchema.gmt,
                 "is not an hour end of the market day \(file.day) (\(firstUTC) to \(lastUTC) UTC)")
        }
        let values = SPPDayAheadSchema.prices.map { MisoTimeText.decimal(row[$0].trimmingCharacters(in: .whitespaces)) }
        if values.count == 4, let lmp = values[0], let mlc = values[1], let mcc = values[2], let mec = values[3],
           abs(lmp - (mec + mcc + mlc)) > 0.005 {
            fail(SPPDayAheadRule.lmpSum, "LMP", "is not MEC + MCC + MLC (\(String(format: "%.4f", mec + mcc + mlc)))")
        }
        return found
    }

    /// Every settlement location must have every hour of the day; on the DST days the failure is
    /// ``SPPDayAheadRule/dstHourCount`` (a warning by default: those counts are not confirmed).
    mutating func finish(rows: Int) -> [CSVValidationFailure] {
        let expected = file.hourEnds.count
        let rule = expected == 24 ? SPPDayAheadRule.hourCount : SPPDayAheadRule.dstHourCount
        return order.compactMap { location in
            let count = hours[location]?.count ?? 0
            guard count != expected else { return nil }
            return CSVValidationFailure(rule: rule, column: SPPDayAheadSchema.location, value: location,
                                        reason: "has \(count) hourly row(s); the market day \(file.day) has \(expected) hours")
        }
    }

    /// Counted by the metrics as `scraper_snapshots_by_market_hours_total{market_hours="23"|"24"|"25"}`
    /// (a label becomes a metric dimension, so only low-cardinality facts go here).
    var labels: [String: String] { ["market_hours": String(file.hourEnds.count)] }
}
