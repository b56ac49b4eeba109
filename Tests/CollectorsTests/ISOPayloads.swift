import CollectionFramework
import Foundation

/// Builds NYISO, CAISO and SPP files in their documented shapes (`shared/docs/iso-public-feeds.md`)
/// for the collectors' unit tests, by walking the UTC instants of a local market day.
enum ISOPayloads {
    static let eastern = TimeZone(identifier: "America/New_York")!
    static let central = TimeZone(identifier: "America/Chicago")!
    static let pacific = TimeZone(identifier: "America/Los_Angeles")!
    static let utc = TimeZone(identifier: "UTC")!

    static let nyisoZones: [(String, Int)] = [
        ("CAPITL", 61757), ("CENTRL", 61754), ("DUNWOD", 61760), ("GENESE", 61753), ("H Q", 61844), ("HUD VL", 61758),
        ("LONGIL", 61762), ("MHK VL", 61756), ("MILLWD", 61759), ("N.Y.C.", 61761), ("NORTH", 61755), ("NPX", 61845),
        ("O H", 61846), ("PJM", 61847), ("WEST", 61752),
    ]

    static let nyisoHeader = "\"Time Stamp\",\"Name\",\"PTID\",\"LBMP ($/MWHr)\",\"Marginal Cost Losses ($/MWHr)\",\"Marginal Cost Congestion ($/MWHr)\""

    /// Local midnight of `day` in `zone`.
    static func midnight(_ day: String, _ zone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = day.split(separator: "-").map { Int($0)! }
        return calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2]))!
    }

    static func wall(_ instant: Date, _ zone: TimeZone, seconds: Bool) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = seconds ? "MM/dd/yyyy HH:mm:ss" : "MM/dd/yyyy HH:mm"
        return formatter.string(from: instant)
    }

    /// Instants from local midnight of `day` to the next, every `minutes`.
    static func steps(_ day: String, _ zone: TimeZone, minutes: Int) -> [Date] {
        let start = midnight(day, zone)
        var next = Calendar(identifier: .gregorian)
        next.timeZone = zone
        let end = next.date(byAdding: .day, value: 1, to: start)!
        return stride(from: start.timeIntervalSince1970, to: end.timeIntervalSince1970, by: Double(minutes * 60)).map(Date.init(timeIntervalSince1970:))
    }

    /// The stamps of a NYISO file: real time = interval ends with seconds, day ahead = hour starts.
    static func nyisoStamps(_ day: String, realTime: Bool) -> [String] {
        realTime
            ? steps(day, eastern, minutes: 5).map { wall($0.addingTimeInterval(300), eastern, seconds: true) }
            : steps(day, eastern, minutes: 60).map { wall($0, eastern, seconds: false) }
    }

    static func nyisoFile(stamps: [String], header: String = nyisoHeader, zones: [(String, Int)] = nyisoZones) -> Data {
        var lines = [header]
        for (i, stamp) in stamps.enumerated() {
            for (j, zone) in zones.enumerated() {
                lines.append("\"\(stamp)\",\"\(zone.0)\",\(zone.1),\(String(format: "%.2f", 20 + Double((i * 7 + j) % 40) - 5)),1.25,-0.50")
            }
        }
        return Data((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    static let caisoHeader = "INTERVALSTARTTIME_GMT,INTERVALENDTIME_GMT,OPR_DT,OPR_HR,OPR_INTERVAL,NODE_ID_XML,NODE_ID,NODE,MARKET_RUN_ID,LMP_TYPE,XML_DATA_ITEM,PNODE_RESMRID,GRP_TYPE,POS,MW,GROUP"

    static func gmt(_ instant: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = utc
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss'-00:00'"
        return formatter.string(from: instant)
    }

    /// A CAISO DAM file (PRC_LMP v12) for `day`: every hour × node × the five price types, in reverse order
    /// (the real feed is unsorted).
    static func caisoDAM(_ day: String, nodes: [String] = ["TH_NP15_GEN-APND"]) -> Data {
        let types = [("LMP", "LMP_PRC"), ("MCE", "LMP_ENE_PRC"), ("MCC", "LMP_CONG_PRC"), ("MCL", "LMP_LOSS_PRC"), ("MGHG", "LMP_GHG_PRC")]
        var rows: [String] = []
        for (hour, start) in steps(day, pacific, minutes: 60).enumerated() {
            for node in nodes {
                for (t, type) in types.enumerated() {
                    rows.append("\(gmt(start)),\(gmt(start.addingTimeInterval(3600))),\(day),\(hour + 1),0,\(node),\(node),\(node),DAM,\(type.0),\(type.1),\(node),ALL_APNODES,0,\(String(format: "%.5f", 30.5 + Double(t))),1")
                }
            }
        }
        return Data(([caisoHeader] + rows.reversed()).joined(separator: "\n").utf8 + Data("\n".utf8))
    }

    static let sppHeader = "Interval,GMTIntervalEnd,Settlement Location,Pnode,LMP,MLC,MCC,MEC,BAA"

    /// An SPP interval file ending at `end`: `locations` rows, LMP = MEC + MCC + MLC.
    static func sppFile(end: Date, locations: Int = 5, header: String = sppHeader, baaThird: Bool = false) -> Data {
        var lines = [baaThird ? "Interval,GMTIntervalEnd,BAA,Settlement Location,Pnode,LMP,MLC,MCC,MEC" : header]
        for i in 0..<locations {
            let mlc = 0.1 * Double(i), mcc = -1.5, mec = 25.0 + Double(i)
            let fields = [wall(end, central, seconds: true), wall(end, utc, seconds: true), "SL_\(i)", "PN_\(i)",
                          String(format: "%.4f", mec + mcc + mlc), String(format: "%.4f", mlc), String(format: "%.4f", mcc), String(format: "%.4f", mec)]
            lines.append((baaThird ? Array(fields[0..<2]) + ["SPP"] + Array(fields[2...]) : fields + ["SPP"]).joined(separator: ","))
        }
        return Data((lines.joined(separator: "\n") + "\n").utf8)
    }
}
