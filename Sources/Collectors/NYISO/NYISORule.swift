import CollectionFramework

/// The rules a NYISO zonal LBMP file must pass, with their default severities. The two warnings are
/// NYISO's known harmless quirks: stamps off the 5-minute grid, and the advisory 15-minute rows at
/// the tail of today's real-time file.
enum NYISORule {
    static let all: [ValidationRuleDeclaration] = [
        .init("nyiso_time_stamp", .error, "Time Stamp is MM/DD/YYYY HH:MM:SS (real time) or MM/DD/YYYY HH:MM (day ahead)"),
        .init("nyiso_wrong_day", .error, "every stamp belongs to the requested market day (Eastern prevailing time)"),
        .init("nyiso_zone", .error, "Name is one of the 15 zones and PTID is that zone's"),
        .init("nyiso_price", .error, "LBMP, losses and congestion are numbers"),
        .init("nyiso_duplicate_row", .error, "a zone appears once per interval"),
        .init("nyiso_zone_count", .error, "every interval has all 15 zones"),
        .init("nyiso_interval_sequence", .error, "intervals follow each other with none missing, in time order"),
        .init("nyiso_interval_count", .error, "a past day's file has every interval (288/276/300 or 24/23/25)"),
        .init("nyiso_off_grid_stamp", .warning, "real-time stamps lie on the 5-minute grid (off-grid rows have been seen)"),
        .init("nyiso_advisory_rows", .warning, "today's file ends with advisory 15-minute rows after the last 5-minute interval"),
        .init("nyiso_old_header", .warning, "the header uses the current spelling ($/MWHr), not the pre-2016 one ($/MWH)"),
    ]
}
