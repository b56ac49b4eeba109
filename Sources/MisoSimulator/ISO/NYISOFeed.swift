import Foundation
import LoopbackHTTP

/// NYISO's zonal LBMP files (`shared/docs/iso-public-feeds.md` §1) under `/public/csv/`:
/// `realtime/{YYYYMMDD}realtime_zone.csv` (5-minute, interval END stamps with seconds),
/// `damlbmp/{YYYYMMDD}damlbmp_zone.csv` (hourly, hour START stamps), and the monthly archives
/// `{folder}/{YYYYMM01}{folder}_zone_csv.zip` with one member per day up to yesterday.
///
/// Daily files exist for the 10 latest days (the day-ahead one also for tomorrow); today's real-time
/// file holds the intervals ended by the simulated now, then 4 advisory quarter-hour rows.
struct NYISOFeed {
    static let zones: [(String, Int)] = [
        ("CAPITL", 61757), ("CENTRL", 61754), ("DUNWOD", 61760), ("GENESE", 61753), ("H Q", 61844), ("HUD VL", 61758),
        ("LONGIL", 61762), ("MHK VL", 61756), ("MILLWD", 61759), ("N.Y.C.", 61761), ("NORTH", 61755), ("NPX", 61845),
        ("O H", 61846), ("PJM", 61847), ("WEST", 61752),
    ]
    static let header = "\"Time Stamp\",\"Name\",\"PTID\",\"LBMP ($/MWHr)\",\"Marginal Cost Losses ($/MWHr)\",\"Marginal Cost Congestion ($/MWHr)\""
    static let clock = MarketClock.eastern

    enum Report: String {
        case realTime = "realtime"
        case dayAhead = "damlbmp"
    }

    /// What a path asks for.
    enum File {
        case daily(Report, OperatingDay)
        case monthly(Report, year: Int, month: Int)
    }

    static func parse(_ path: String) -> File? {
        for report in [Report.realTime, .dayAhead] {
            let folder = "/public/csv/\(report.rawValue)/"
            guard path.hasPrefix(folder) else { continue }
            let name = String(path.dropFirst(folder.count))
            if name.hasSuffix("\(report.rawValue)_zone.csv"), let day = OperatingDay(compact: String(name.prefix(8))),
               name.count == 8 + "\(report.rawValue)_zone.csv".count {
                return .daily(report, day)
            }
            if name.hasSuffix("\(report.rawValue)_zone_csv.zip"), name.count == 8 + "\(report.rawValue)_zone_csv.zip".count,
               let day = OperatingDay(compact: String(name.prefix(8))), day.day == 1 {
                return .monthly(report, year: day.year, month: day.month)
            }
        }
        return nil
    }

    let seed: UInt64
    let now: Date

    var today: OperatingDay { Self.clock.day(of: now) }

    /// The body of `file`, or nil for 404 (not posted or no longer kept).
    func body(_ file: File, fault: SimulatorFault?) -> (Data, String)? {
        switch file {
        case .daily(let report, let day):
            let latest = report == .dayAhead ? today.adding(days: 1) : today
            guard day <= latest, day >= today.adding(days: -9) else { return nil }
            var text = csv(report, day, fault: fault)
            if fault == .nyisoPartial {
                let cut = text.index(text.startIndex, offsetBy: text.count * 2 / 3)
                text = String(text[..<cut])
                if text.hasSuffix("\r\n") { text.removeLast(2) }
                if text.hasSuffix(",") { text.removeLast() }
            }
            return (Data(text.utf8), "text/csv")
        case .monthly(let report, let year, let month):
            let first = OperatingDay(year: year, month: month, day: 1)
            guard first <= today.adding(days: -1) else { return nil }
            var zip = ZipWriter(breakage: ISOFeeds.breakage(fault))
            for d in 1...OperatingDay.daysIn(year: year, month: month) {
                let day = OperatingDay(year: year, month: month, day: d)
                guard day < today else { break }
                if fault == .nyisoZipMissingDay, d == 15 { continue }
                zip.add("\(day.compact)\(report.rawValue)_zone.csv", Data(csv(report, day, fault: nil).utf8))
            }
            return (zip.finish(), "application/zip")
        }
    }

    /// One day's CSV as NYISO writes it (CRLF lines, quoted stamps and names).
    func csv(_ report: Report, _ day: OperatingDay, fault: SimulatorFault?) -> String {
        var stamps: [(text: String, key: String)]
        switch report {
        case .realTime:
            var ends = Self.clock.steps(day, minutes: 5).map { $0.addingTimeInterval(300) }
            if day == today {
                ends = ends.filter { $0 <= now }
                var advisory: [Date] = []
                var next = (ends.last ?? Self.clock.start(day)).addingTimeInterval(600)
                while advisory.count < 4 {
                    if Self.clock.fields(next).minute! % 15 == 0 { advisory.append(next) }
                    next = next.addingTimeInterval(300)
                }
                ends += advisory
            }
            stamps = ends.map { (Self.clock.wall($0, seconds: true), String($0.timeIntervalSince1970)) }
            if fault == .nyisoOffGrid {
                // Extra rows off the 5-minute grid, in time order (seen in NYISO's real-time files).
                for (offGrid, before) in [("10:13:00", " 10:15:00"), ("10:22:00", " 10:25:00")] {
                    if let at = stamps.firstIndex(where: { $0.text.hasSuffix(before) }) {
                        stamps.insert((String(stamps[at].text.prefix(11)) + offGrid, "off" + offGrid), at: at)
                    }
                }
            }
        case .dayAhead:
            stamps = Self.clock.steps(day, minutes: 60).map { (Self.clock.wall($0, seconds: false), String($0.timeIntervalSince1970)) }
        }
        var header = Self.header
        if fault == .nyisoOldHeader { header = header.replacingOccurrences(of: "Congestion ($/MWHr)\"", with: "Congestion ($/MWH\"") }
        var lines = [header]
        lines.reserveCapacity(stamps.count * 15 + 1)
        for stamp in stamps {
            for (name, ptid) in Self.zones {
                let key = "nyiso|\(report.rawValue)|\(stamp.key)|\(name)"
                let lbmp = ISOPrices.cents(seed: seed, key)
                var random = SeededRandom(seed: seed, key: key + "|parts")
                let losses = random.int(in: -150...250), congestion = random.int(in: -400...0)
                lines.append("\"\(stamp.text)\",\"\(name)\",\(ptid),\(ISOPrices.text(lbmp)),\(ISOPrices.text(losses)),\(ISOPrices.text(congestion))")
            }
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}
