/// Rule ids ``MisoBindingConstraintsCollector`` reports; stable, used in metrics labels, tests and the docs.
public enum MisoBindingConstraintsRule {
    /// Valid JSON object with a `Constraint` array of objects, each with a non-empty string `Name`,
    /// a `Period` and a `Price`.
    public static let jsonStructure = "json_structure"
    /// `RefId` reads like `27-Jul-2026 - Interval 08:10 EST`.
    public static let refId = "binding_refid"
    /// `Constraint` holds at least one element (when nothing binds MISO sends the "None" element).
    public static let nonEmpty = "binding_non_empty"
    /// An element named "None" is the "nothing binding" form: it must be the only element and every
    /// field of it must be the string "None" or "0".
    public static let noneForm = "binding_none_form"
    /// Every `Period` is an ISO local time `yyyy-MM-ddTHH:mm:ss` on the day `RefId` names.
    public static let period = "binding_period"
    /// `Price` is a finite decimal number written as a string (`"-329.63"`).
    public static let priceNumeric = "binding_price_numeric"
    /// Every breakpoint field (`BP1`, `PC1`, `BP2`, `PC2`, … any `BP<n>`/`PC<n>`) is a finite decimal
    /// number written as a string.
    public static let breakpointNumeric = "binding_breakpoint_numeric"

    /// Every rule, in the order they are checked.
    public static let all = [jsonStructure, refId, nonEmpty, noneForm, period, priceNumeric, breakpointNumeric]
    /// The values a field of the "nothing binding" element may have.
    public static let nothingBindingValues: Set<String> = ["None", "0"]
}
