import CollectionFramework
import Foundation

/// The CSV schema of both zonal LBMP reports: six columns found by name, the price columns also
/// under their pre-2016 spelling (`($/MWH` instead of `($/MWHr)`).
enum NYISOZonalSchema {
    static let stamp = "Time Stamp", name = "Name", ptid = "PTID"
    static let lbmp = "LBMP ($/MWHr)", losses = "Marginal Cost Losses ($/MWHr)", congestion = "Marginal Cost Congestion ($/MWHr)"

    static func oldSpellings(_ column: String) -> [String] {
        let stem = String(column.dropLast("($/MWHr)".count))
        return [stem + "($/MWH)", stem + "($/MWH"]
    }

    static let schema = CSVSchema(
        columns: [.init(stamp), .init(name), .init(ptid)] + [lbmp, losses, congestion].map { .init($0, alternatives: oldSpellings($0)) },
        minimumRows: 1,
        rowRules: [lbmp, losses, congestion].map { CSVSchema.numeric($0, rule: "nyiso_price") })
}

/// Checks a zonal LBMP file across its rows: every stamp is one the market day has, in order, each
/// with the 15 zones once. Today's file may stop early and end with advisory quarter-hour rows
/// (warning `nyiso_advisory_rows`); a past day's must have every interval.
struct NYISOZonalChecker: CSVRowChecker {
    let market: NYISOZonalMarket
    let day: CalendarDate
    /// Today's file, still being written: it may stop before the day's end.
    let partial: Bool
    private let expected: [String]
    private let positions: [String: [Int]]
    /// Index in `expected` of the interval being read (-1 before the first row).
    private var index = -1
    private var groupStamp: String?
    private var groupZones: Set<String> = []
    private var groupFirstRow = 0
    private var advisory = false
    private var intervalsSeen = 0

    init(market: NYISOZonalMarket, day: CalendarDate, partial: Bool) {
        self.market = market
        self.day = day
        self.partial = partial
        expected = market.expectedStamps(day)
        var positions: [String: [Int]] = [:]
        for (i, stamp) in expected.enumerated() { positions[stamp, default: []].append(i) }
        self.positions = positions
    }

    var labels: [String: String] { ["complete": partial ? "false" : "true"] }

    mutating func header(_ names: [String]) -> [CSVValidationFailure] {
        guard !names.contains(NYISOZonalSchema.congestion) else { return [] }
        let old = names.first { $0.hasPrefix("Marginal Cost Congestion") } ?? "?"
        return [CSVValidationFailure(rule: "nyiso_old_header", row: 1, column: NYISOZonalSchema.congestion, value: old,
                                     reason: "is the pre-2016 spelling of the header")]
    }

    mutating func row(_ row: CSVSchema.Row) -> [CSVValidationFailure] {
        var found: [CSVValidationFailure] = []
        let stamp = row[NYISOZonalSchema.stamp], zone = row[NYISOZonalSchema.name]
        guard let parsed = WallClockText.parse(stamp), (market == .realTime) == (stamp.utf8.count == 19) else {
            let shape = market == .realTime ? "MM/DD/YYYY HH:MM:SS" : "MM/DD/YYYY HH:MM"
            return [failure("nyiso_time_stamp", row, NYISOZonalSchema.stamp, stamp, "is not a time stamp written \(shape)")]
        }
        if let ptid = NYISOZones.ptids[zone] {
            if row[NYISOZonalSchema.ptid] != ptid {
                found.append(failure("nyiso_zone", row, NYISOZonalSchema.ptid, row[NYISOZonalSchema.ptid], "is not the PTID of \(zone) (\(ptid))"))
            }
        } else {
            found.append(failure("nyiso_zone", row, NYISOZonalSchema.name, zone, "is not one of NYISO's 15 zones (\(NYISOZones.ptids.keys.sorted().joined(separator: ", ")))"))
        }
        if market == .realTime, parsed.minute % 5 != 0 || parsed.second != 0 {
            // A known quirk: extra rows off the 5-minute grid. They are kept but not counted as intervals.
            return found + [failure("nyiso_off_grid_stamp", row, NYISOZonalSchema.stamp, stamp, "is off the 5-minute grid")]
        }
        if stamp == groupStamp, !groupZones.contains(zone) {
            groupZones.insert(zone)
            return found
        }
        // A new interval (or, in the fall-back hour, the same stamp again for its second pass).
        if let closing = closeGroup() { found.append(closing) }
        let next = index + 1
        guard let target = positions[stamp]?.first(where: { $0 >= next }) else {
            if stamp == groupStamp {
                found.append(failure("nyiso_duplicate_row", row, NYISOZonalSchema.name, zone, "appears twice at \(stamp)"))
            } else if parsed.date != day && !(market == .realTime && stamp == expected.last) {
                found.append(failure("nyiso_wrong_day", row, NYISOZonalSchema.stamp, stamp, "is not on the market day \(day) (America/New_York)"))
            } else {
                found.append(failure("nyiso_interval_sequence", row, NYISOZonalSchema.stamp, stamp,
                                     "comes out of time order (after \(index >= 0 ? expected[index] : "the start of the file"))"))
            }
            return found
        }
        if target > next || advisory {
            if partial, parsed.minute % 15 == 0 {
                advisory = true
                found.append(failure("nyiso_advisory_rows", row, NYISOZonalSchema.stamp, stamp,
                                     "is an advisory quarter-hour row after the last 5-minute interval (\(next > 0 ? expected[next - 1] : "none"))"))
            } else {
                found.append(failure("nyiso_interval_sequence", row, NYISOZonalSchema.stamp, stamp,
                                     "skips \(target - next) interval(s) from \(expected[next])"))
            }
        }
        if !advisory { intervalsSeen += 1 }
        index = target
        groupStamp = stamp
        groupZones = [zone]
        groupFirstRow = row.number
        return found
    }

    mutating func finish(rows: Int) -> [CSVValidationFailure] {
        var found: [CSVValidationFailure] = []
        if let closing = closeGroup() { found.append(closing) }
        if !partial, intervalsSeen != expected.count {
            let hours = MarketDay(day, timeZone: NYISOZonalMarket.timeZone).hours
            found.append(CSVValidationFailure(rule: "nyiso_interval_count",
                                              reason: "has \(intervalsSeen) of the \(expected.count) intervals of \(day) (a \(hours)-hour day in America/New_York)"))
        }
        return found
    }

    /// The failure of an interval that lacks zones, if the one being read does.
    private mutating func closeGroup() -> CSVValidationFailure? {
        defer { groupStamp = nil; groupZones = [] }
        guard let stamp = groupStamp, groupZones.count < NYISOZones.ptids.count else { return nil }
        let missing = Set(NYISOZones.ptids.keys).subtracting(groupZones).sorted()
        return CSVValidationFailure(rule: "nyiso_zone_count", row: groupFirstRow, column: NYISOZonalSchema.name, value: stamp,
                                    reason: "has \(groupZones.count) of the 15 zones; missing \(missing.joined(separator: ", "))")
    }

    private func failure(_ rule: String, _ row: CSVSchema.Row, _ column: String, _ value: String, _ reason: String) -> CSVValidationFailure {
        CSVValidationFailure(rule: rule, row: row.number, column: column, value: value, reason: reason)
    }
}
