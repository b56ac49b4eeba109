import CollectionFramework

/// The rules a CAISO OASIS LMP file must pass. All are errors by default.
enum CAISORule {
    static let all: [ValidationRuleDeclaration] = [
        .init("caiso_price", .error, "the value column (MW, PRC or VALUE) is a number"),
        .init("caiso_time", .error, "INTERVALSTARTTIME_GMT and INTERVALENDTIME_GMT are UTC stamps one interval apart"),
        .init("caiso_grid", .error, "intervals start on the report's grid (5 min, 15 min or the hour)"),
        .init("caiso_window", .error, "every interval lies inside the requested window"),
        .init("caiso_trade_date", .error, "OPR_DT is the requested trading day (Pacific prevailing time)"),
        .init("caiso_market", .error, "MARKET_RUN_ID is the requested market"),
        .init("caiso_lmp_type", .error, "LMP_TYPE is LMP, MCE, MCC, MCL or MGHG with its XML_DATA_ITEM"),
        .init("caiso_node", .error, "every node is one that was asked for"),
        .init("caiso_duplicate_row", .error, "each interval, node and LMP_TYPE appears once"),
        .init("caiso_interval_count", .error, "a finished window has every interval, each with all five price types, for every node in the file"),
    ]
}
