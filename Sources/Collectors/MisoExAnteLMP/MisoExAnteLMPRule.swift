/// Rule ids ``MisoExAnteLMPCollector`` reports; stable, used in metrics labels, tests and the docs.
public enum MisoExAnteLMPRule {
    /// Valid JSON; `LMPData` and `LMPData.ExAnteLMP` objects; `Hub` an array of objects, each with a
    /// non-empty string `name` and `LMP`, `loss`, `congestion` fields.
    public static let jsonStructure = "json_structure"
    /// `LMPData.RefId` reads like `27-Jul-2026 - Interval 08:15 EST`.
    public static let refId = "exante_refid"
    /// `ExAnteLMP.HourAndMin` is `HH:MM` (hour 00-23, minute 00-59).
    public static let hourFormat = "exante_hour_format"
    /// `ExAnteLMP.HourAndMin` equals the interval in `RefId`.
    public static let hourMatchesRefId = "exante_hour_matches_refid"
    /// `Hub` holds at least one hub.
    public static let hubsPresent = "exante_hubs_present"
    /// No two hubs share a `name`.
    public static let hubNamesUnique = "exante_hub_names_unique"
    /// `LMP`, `loss` and `congestion` are finite decimal numbers written as strings (`"22.12"`).
    public static let priceNumeric = "exante_price_numeric"

    /// Every rule, in the order they are checked.
    public static let all = [jsonStructure, refId, hourFormat, hourMatchesRefId, hubsPresent, hubNamesUnique, priceNumeric]
}
