import CollectionFramework
import Foundation

/// NYISO real-time zonal LBMP (report P-24A): 5-minute prices of the 15 zones, one CSV per market
/// day (`{YYYYMMDD}realtime_zone.csv`), older days from the monthly ZIP. See ``NYISOZonalFeed``
/// for how the file is chosen and stored, ``NYISOZonalChecker`` and ``NYISORule`` for the rules.
public struct NYISORealTimeZonalLBMPCollector: NYISOZonalCollector {
    public static let typeName = "nyiso.rt_zonal_lbmp"
    public static let summary = "NYISO real-time zonal LBMP (5-minute, 15 zones; daily CSV or monthly ZIP)"
    public static let parameters = NYISOZonalFeed.parameters
    public static let rules = NYISORule.all

    /// Objects are filed under `sourcing/nyiso_rt_zonal_lbmp/...`.
    public let datasetGroup = "nyiso_rt_zonal_lbmp"
    let feed: NYISOZonalFeed

    /// `api_url` replaces `http://mis.nyiso.com/public/csv` (the folder that holds `realtime/`).
    public init(configuration: CollectorConfiguration) throws {
        feed = try NYISOZonalFeed(typeName: Self.typeName, market: .realTime, configuration: configuration)
    }
}
