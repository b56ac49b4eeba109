import Foundation
import LoopbackHTTP

/// CAISO OASIS `SingleZip` (`shared/docs/iso-public-feeds.md` §2): long-format LMP CSV inside a ZIP,
/// and errors as `INVALID_REQUEST.xml` inside a ZIP, both with HTTP 200.
struct CAISOFeed {
    static let path = "/oasisapi/SingleZip"
    static let clock = MarketClock.pacific
    static let hubs = ["TH_NP15_GEN-APND", "TH_SP15_GEN-APND", "TH_ZP26_GEN-APND"]
    static let types = [("LMP", "LMP_PRC"), ("MCE", "LMP_ENE_PRC"), ("MCC", "LMP_CONG_PRC"), ("MCL", "LMP_LOSS_PRC"), ("MGHG", "LMP_GHG_PRC")]

    struct Query {
        var name: String
        var market: String
        var version: String
        var valueColumn: String
        var minutes: Int
    }

    static let queries: [String: Query] = [
        "PRC_LMP": Query(name: "PRC_LMP", market: "DAM", version: "12", valueColumn: "MW", minutes: 60),
        "PRC_INTVL_LMP": Query(name: "PRC_INTVL_LMP", market: "RTM", version: "3", valueColumn: "VALUE", minutes: 5),
        "PRC_RTPD_LMP": Query(name: "PRC_RTPD_LMP", market: "RTPD", version: "3", valueColumn: "PRC", minutes: 15),
    ]

    let seed: UInt64
    let now: Date
    let nodeCount: Int

    /// Every node `grp_type=ALL` returns: the three hubs, then generated ones.
    var allNodes: [String] { Self.hubs + (0..<max(0, nodeCount - Self.hubs.count)).map { String(format: "NODE_%04d_APND", $0 + 1) } }

    /// The answer to one request: a data ZIP, or an error ZIP (code, text).
    func answer(_ request: LoopbackHTTPRequest, breakage: ZipWriter.Breakage, fault: SimulatorFault?) -> (body: Data, fileName: String) {
        if fault == .caisoNoData { return errorZip(1000, "No data returned for the specified selection", breakage) }
        if fault == .caisoInvalidRequest { return errorZip(1002, "Invalid date time format, please use format as 'yyyymmddThh24:miZ'", breakage) }
        guard let query = request.query("queryname").flatMap({ Self.queries[$0] }) else {
            return errorZip(1000, "No data returned for the specified selection", breakage)
        }
        guard request.query("version") == query.version, request.query("market_run_id") == query.market else {
            return errorZip(1020, "Version parameter missing or invalid for the report", breakage)
        }
        guard let start = request.query("startdatetime").flatMap(Self.instant), let end = request.query("enddatetime").flatMap(Self.instant) else {
            return errorZip(1002, "Invalid date time format, please use format as 'yyyymmddThh24:miZ'", breakage)
        }
        guard end > start, end.timeIntervalSince(start) <= 31 * 86_400 else {
            return errorZip(1004, "Data can be requested for period of 31 days only", breakage)
        }
        let requested = request.query("node").map { $0.split(separator: ",").map(String.init) }
        if let requested, requested.count > 10 {
            return errorZip(1017, "Please select a maximum of 10 nodes or use the ALL option", breakage)
        }
        if requested == nil, query.market != "DAM", end.timeIntervalSince(start) > 3600 {
            return errorZip(1018, "You cannot select multiple hours for this query", breakage)
        }
        let tomorrowEnd = Self.clock.start(Self.clock.day(of: now).adding(days: 2))
        guard start < tomorrowEnd, start > now.addingTimeInterval(-39 * 30 * 86_400) else {
            return errorZip(1000, "No data returned for the specified selection", breakage)
        }
        let nodes = requested.map { $0.filter(allNodes.contains) } ?? allNodes
        let startDay = MarketClock.utc.day(of: start).compact, endDay = MarketClock.utc.day(of: end).compact
        let step = Double(query.minutes * 60)
        let starts = stride(from: start.timeIntervalSince1970, to: end.timeIntervalSince1970, by: step)
            .filter { $0.truncatingRemainder(dividingBy: step) == 0 }.map(Date.init(timeIntervalSince1970:))
        guard !nodes.isEmpty, !starts.isEmpty else { return errorZip(1000, "No data returned for the specified selection", breakage) }
        var zip = ZipWriter(breakage: breakage)
        let stem = "\(startDay)_\(endDay)_\(query.name)_\(query.market)"
        if requested == nil, query.market == "DAM" {
            for type in Self.types {
                zip.add("\(stem)_\(type.0)_v\(query.version).csv", csv(query, starts, nodes, types: [type]))
            }
        } else {
            zip.add("\(stem)_v\(query.version).csv", csv(query, starts, nodes, types: Self.types))
        }
        return (zip.finish(), "\(stem)_v\(query.version).zip")
    }

    private func csv(_ query: Query, _ starts: [Date], _ nodes: [String], types: [(String, String)]) -> Data {
        let dam = query.market == "DAM"
        let header = dam
            ? "INTERVALSTARTTIME_GMT,INTERVALENDTIME_GMT,OPR_DT,OPR_HR,OPR_INTERVAL,NODE_ID_XML,NODE_ID,NODE,MARKET_RUN_ID,LMP_TYPE,XML_DATA_ITEM,PNODE_RESMRID,GRP_TYPE,POS,MW,GROUP"
            : "INTERVALSTARTTIME_GMT,INTERVALENDTIME_GMT,OPR_DT,OPR_HR,NODE_ID_XML,NODE_ID,NODE,MARKET_RUN_ID,LMP_TYPE,XML_DATA_ITEM,PNODE_RESMRID,GRP_TYPE,POS,\(query.valueColumn),OPR_INTERVAL,GROUP"
        var rows: [(order: UInt64, text: String)] = []
        for start in starts {
            let day = Self.clock.day(of: start)
            let hour = Int(start.timeIntervalSince(Self.clock.start(day)) / 3600) + 1
            let interval = dam ? 0 : (Self.clock.fields(start).minute! / query.minutes) + 1
            let gmtStart = Self.gmt(start), gmtEnd = Self.gmt(start.addingTimeInterval(Double(query.minutes * 60)))
            for node in nodes {
                var random = SeededRandom(seed: seed, key: "caiso|\(query.market)|\(start.timeIntervalSince1970)|\(node)")
                let mce = random.int(in: 1_500_000...6_000_000), mcc = random.int(in: -300_000...300_000)
                let mcl = random.int(in: -100_000...200_000), mghg = random.int(in: 0...50_000)
                let values = ["LMP": mce + mcc + mcl + mghg, "MCE": mce, "MCC": mcc, "MCL": mcl, "MGHG": mghg]
                for (type, item) in types {
                    let value = Self.fiveDecimals(values[type]!)
                    let text = dam
                        ? "\(gmtStart),\(gmtEnd),\(day.iso),\(hour),\(interval),\(node),\(node),\(node),\(query.market),\(type),\(item),\(node),ALL_APNODES,0,\(value),1"
                        : "\(gmtStart),\(gmtEnd),\(day.iso),\(hour),\(node),\(node),\(node),\(query.market),\(type),\(item),\(node),ALL_APNODES,0,\(value),\(interval),1"
                    var order = SeededRandom(seed: seed, key: text)
                    rows.append((order.next(), text))
                }
            }
        }
        // The real feed arrives unsorted.
        rows.sort { $0.order < $1.order }
        return Data(([header] + rows.map(\.text)).joined(separator: "\n").utf8 + [0x0A])
    }

    private func errorZip(_ code: Int, _ text: String, _ breakage: ZipWriter.Breakage) -> (body: Data, fileName: String) {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <m:OASISReport xmlns:m="http://www.caiso.com/soa/OASISReport_v1.xsd">
            <m:MessageHeader><m:TimeDate>\(Self.gmt(now))</m:TimeDate><m:Source>OASIS</m:Source><m:Version>v20131201</m:Version></m:MessageHeader>
            <m:MessagePayload><m:RTO><m:name>CAISO</m:name><m:ERROR><m:ERR_CODE>\(code)</m:ERR_CODE><m:ERR_DESC>\(text)</m:ERR_DESC></m:ERROR></m:RTO></m:MessagePayload>
            </m:OASISReport>

            """
        var zip = ZipWriter(breakage: breakage)
        zip.add("INVALID_REQUEST.xml", Data(xml.utf8))
        return (zip.finish(), "INVALID_REQUEST.xml.zip")
    }

    /// `YYYYMMDDTHH:MM-0000` → the instant.
    static func instant(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 19, bytes[8] == 0x54, bytes[11] == 0x3A, text.hasSuffix("-0000"),
              let day = OperatingDay(compact: String(text.prefix(8))),
              let hour = Int(text.dropFirst(9).prefix(2)), let minute = Int(text.dropFirst(12).prefix(2)), hour < 24, minute < 60 else { return nil }
        return MarketClock.utc.start(day).addingTimeInterval(Double(hour * 3600 + minute * 60))
    }

    /// `2026-07-14T07:00:00-00:00`.
    static func gmt(_ instant: Date) -> String {
        let c = MarketClock.utc.fields(instant)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d-00:00", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }

    /// Hundred-thousandths written with 5 decimals.
    static func fiveDecimals(_ value: Int) -> String {
        (value < 0 ? "-" : "") + String(abs(value) / 100_000) + "." + String(format: "%05d", abs(value) % 100_000)
    }
}
