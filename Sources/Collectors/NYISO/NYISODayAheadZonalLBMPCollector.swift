import CollectionFramework
import Foundation

/// NYISO day-ahead zonal LBMP (report P-2A): hourly prices of the 15 zones, one CSV per market
/// day (`{YYYYMMDD}damlbmp_zone.csv`), older days from the monthly ZIP. See ``NYISOZonalFeed``
/// for how the file is chosen and stored, ``NYISOZonalChecker`` and ``NYISORule`` for the rules.
public struct NYISODayAheadZonalLBMPCollector: NYISOZonalCollector {
    public static let typeName = "nyiso.da_zonal_lbmp"
    public static let summary = "NYISO day-ahead zonal LBMP (hourly, 15 zones; daily CSV or monthly ZIP)"
    public static let parameters = NYISOZonalFeed.parameters
    public static let rules = NYISORule.all

    /// Objects are filed under `sourcing/nyiso_da_zonal_lbmp/...`.
    public let datasetGroup = "nyiso_da_zonal_lbmp"
    let feed: NYISOZonalFeed

    /// `api_url` replaces `http://mis.nyiso.com/public/csv` (the folder that holds `damlbmp/`).
    public init(configuration: CollectorConfiguration) throws {
        feed = try NYISOZonalFeed(typeName: Self.typeName, market: .dayAhead, configuration: configuration)
    }
}
