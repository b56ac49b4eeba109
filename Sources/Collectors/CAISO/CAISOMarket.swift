import CollectionFramework
import Foundation

/// The three CAISO OASIS LMP reports (`shared/docs/iso-public-feeds.md` §2): which query, version
/// and value column each is, and its interval length.
enum CAISOMarket: String, Sendable, CaseIterable {
    case dayAhead = "DAM"
    case realTimePreDispatch = "RTPD"
    case realTime = "RTM"

    /// CAISO's trading day runs in Pacific prevailing time.
    static let timeZone = TimeZone(identifier: "America/Los_Angeles")!

    var queryName: String {
        switch self {
        case .dayAhead: return "PRC_LMP"
        case .realTimePreDispatch: return "PRC_RTPD_LMP"
        case .realTime: return "PRC_INTVL_LMP"
        }
    }

    /// The report version gridstatus asks for.
    var version: String { self == .dayAhead ? "12" : "3" }

    /// The column that holds the price.
    var valueColumn: String {
        switch self {
        case .dayAhead: return "MW"
        case .realTimePreDispatch: return "PRC"
        case .realTime: return "VALUE"
        }
    }

    var intervalMinutes: Int {
        switch self {
        case .dayAhead: return 60
        case .realTimePreDispatch: return 15
        case .realTime: return 5
        }
    }

    /// LMP_TYPE → XML_DATA_ITEM: the total and its components.
    static let priceTypes: [String: String] = [
        "LMP": "LMP_PRC", "MCE": "LMP_ENE_PRC", "MCC": "LMP_CONG_PRC", "MCL": "LMP_LOSS_PRC", "MGHG": "LMP_GHG_PRC",
    ]
}

/// One SingleZip request: a UTC window the API accepts.
struct CAISOWindow: Sendable, Equatable {
    var start: Date
    var end: Date

    /// `YYYYMMDDTHH:MM-0000`, as the query wants it.
    static func queryText(_ instant: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: instant)
        return String(format: "%04d%02d%02dT%02d:%02d-0000", c.year!, c.month!, c.day!, c.hour!, c.minute!)
    }
}
