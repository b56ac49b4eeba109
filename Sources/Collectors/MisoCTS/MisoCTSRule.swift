/// Rule ids `MisoCTSCollector.validate` reports; stable, used in metrics labels and tests.
public enum MisoCTSRule {
    // Documented shape (the spec's nine rules).
    public static let jsonStructure = "json_structure"
    public static let lmpArithmetic = "lmp_arithmetic"
    public static let intervalFormat = "interval_format"
    public static let lmpDirection = "lmp_direction"
    public static let transactionDirection = "transaction_direction"
    public static let numericValues = "numeric_values"
    public static let volumeNonNegative = "volume_non_negative"
    public static let dataQuality = "data_quality"
    public static let operatingDay = "operating_day"
    /// A documented-shape payload whose `data` array is empty: nothing was published.
    public static let dataNonEmpty = "data_non_empty"
    // Live shape.
    public static let liveRefId = "live_refid"
    public static let liveNonEmpty = "live_non_empty"
    public static let liveTimeFormat = "live_time_format"
    public static let liveIntervalGrid = "live_interval_grid"
    public static let livePriceNumeric = "live_price_numeric"
    /// A live-shape answer to a request with a date or filters: the live feed ignores query
    /// parameters, so storing it under the filtered name and metadata would mislabel it.
    public static let liveFiltersIgnored = "live_filters_ignored"

    /// Largest accepted |total - (energy + congestion + losses)|.
    public static let lmpTolerance = 0.01
    public static let lmpDirections = ["export", "import", "neutral"]
    public static let transactionDirections = ["MISO_TO_PJM", "PJM_TO_MISO", "BALANCED"]
    public static let dataQualities = ["FORECAST", "PRELIMINARY", "VALIDATED"]
}
