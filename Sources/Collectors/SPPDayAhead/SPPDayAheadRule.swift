import CollectionFramework

/// The rules an SPP day-ahead LMP file must pass (`shared/docs/iso-public-feeds.md` §3), with their
/// default severities; `collectors.yaml` `rule_severity:` may change any of them.
///
/// Two facts the rules rely on are not confirmed by the reference, so their rules are warnings:
/// - the 23 rows per location on the spring day are [U] (a live probe, not a source), and the 25 on
///   the autumn day are not in the reference at all (*unconfirmed*): ``dstHourCount``;
/// - LMP = MEC + MCC + MLC exactly is *unconfirmed*: ``lmpSum``.
enum SPPDayAheadRule {
    /// `GMTIntervalEnd` is `MM/DD/YYYY HH:MM[:SS]` (seconds may be missing: "some DA files omit
    /// seconds" is [U]) and one of the market day's hour ends in UTC.
    static let gmtInterval = "spp_da_gmt_interval"
    /// `Interval` is the same hour end in Central prevailing time. The last hour's label is
    /// *unconfirmed* in the reference: the next day's `00:00` and the market day's `24:00` are both accepted.
    static let interval = "spp_da_interval"
    /// `LMP`, `MLC`, `MCC` and `MEC` are finite decimal numbers.
    static let price = "spp_da_price"
    /// No (`GMTIntervalEnd`, `Settlement Location`) pair appears twice (the reference's key).
    static let duplicateRow = "spp_da_duplicate_row"
    /// On a 24-hour day every settlement location has 24 rows, one per hour.
    static let hourCount = "spp_da_hour_count"
    /// On the DST days every settlement location has one row per hour of the day: 23 in spring ([U]),
    /// 25 in autumn (*unconfirmed*).
    static let dstHourCount = "spp_da_dst_hour_count"
    /// LMP equals MEC + MCC + MLC to the cent (*unconfirmed*).
    static let lmpSum = "spp_da_lmp_sum"

    static let all: [ValidationRuleDeclaration] = [
        .init(gmtInterval, .error, "GMTIntervalEnd is an hour end of the market day in UTC (MM/DD/YYYY HH:MM[:SS])"),
        .init(interval, .error, "Interval is the same hour end in Central prevailing time (the last hour as 00:00 of the next day or 24:00)"),
        .init(price, .error, "LMP, MLC, MCC and MEC are finite numbers"),
        .init(duplicateRow, .error, "each settlement location appears once per hour"),
        .init(hourCount, .error, "each settlement location has 24 hourly rows"),
        .init(dstHourCount, .warning, "on the DST days each settlement location has 23 (spring, [U]) or 25 (autumn, unconfirmed) hourly rows"),
        .init(lmpSum, .warning, "LMP equals MEC + MCC + MLC to the cent (unconfirmed in the reference)"),
    ]
}
