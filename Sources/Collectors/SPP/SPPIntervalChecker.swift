import CollectionFramework
import Foundation

/// The CSV schema of an interval file: eight columns by name (the BAA column added with RTO West
/// sits at different places, so nothing is read by position).
enum SPPIntervalSchema {
    static let interval = "Interval", gmt = "GMTIntervalEnd", location = "Settlement Location", pnode = "Pnode"
    static let prices = ["LMP", "MLC", "MCC", "MEC"]

    static let schema = CSVSchema(columns: ([interval, gmt, location, pnode] + prices).map { .init($0) } + [.init("BAA", optional: true)], minimumRows: 1,
                                  rowRules: prices.map { CSVSchema.numeric($0, rule: "spp_price") })
}

/// Checks that every row is of the file's interval, each settlement location once, and (a warning)
/// that the components add up to the LMP.
struct SPPIntervalChecker: CSVRowChecker {
    let file: SPPIntervalFile
    private let localEnd: String
    private let utcEnd: String
    private var locations: Set<String> = []

    init(file: SPPIntervalFile) {
        self.file = file
        localEnd = file.localEndText
        utcEnd = file.utcEndText
    }

    mutating func row(_ row: CSVSchema.Row) -> [CSVValidationFailure] {
        var found: [CSVValidationFailure] = []
        func fail(_ rule: String, _ column: String, _ reason: String) {
            found.append(CSVValidationFailure(rule: rule, row: row.number, column: column, value: row[column], reason: reason))
        }
        if row[SPPIntervalSchema.interval].trimmingCharacters(in: .whitespaces) != localEnd {
            fail("spp_interval", SPPIntervalSchema.interval, "is not the interval end of \(file.name) (\(localEnd) Central)")
        }
        if row[SPPIntervalSchema.gmt].trimmingCharacters(in: .whitespaces) != utcEnd {
            fail("spp_gmt_interval", SPPIntervalSchema.gmt, "is not the interval end of \(file.name) in UTC (\(utcEnd))")
        }
        let location = row[SPPIntervalSchema.location].trimmingCharacters(in: .whitespaces)
        if !locations.insert(location).inserted {
            fail("spp_duplicate_location", SPPIntervalSchema.location, "appears twice")
        }
        let values = SPPIntervalSchema.prices.map { Double(row[$0].trimmingCharacters(in: .whitespaces)) }
        if let lmp = values[0], let mlc = values[1], let mcc = values[2], let mec = values[3], abs(lmp - (mec + mcc + mlc)) > 0.005 {
            fail("spp_lmp_sum", "LMP", "is not MEC + MCC + MLC (\(String(format: "%.4f", mec + mcc + mlc)))")
        }
        return found
    }
}
