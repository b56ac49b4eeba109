/// Why a payload was refused: which rule, and where in the payload.
public struct ValidationFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable rule name, e.g. `lmp_arithmetic`; used in metrics labels and tests.
    public var rule: String
    /// What is wrong, in words a person can act on.
    public var reason: String
    /// Index of the offending record in the payload's array, when there is one.
    public var recordIndex: Int?
    /// Path of the offending field, e.g. `forecastedLMP.total`.
    public var field: String?
    /// The values involved, e.g. `["total": "45.5", "sum": "45.6"]`.
    public var values: [String: String]

    public init(rule: String, reason: String, recordIndex: Int? = nil, field: String? = nil, values: [String: String] = [:]) {
        self.rule = rule
        self.reason = reason
        self.recordIndex = recordIndex
        self.field = field
        self.values = values
    }

    public var description: String {
        var where_: [String] = []
        if let recordIndex { where_.append("record \(recordIndex)") }
        if let field { where_.append("field \(field)") }
        let location = where_.isEmpty ? "" : " at " + where_.joined(separator: ", ")
        let shown = values.keys.sorted().map { "\($0)=\(values[$0]!)" }.joined(separator: ", ")
        return "validation failed [\(rule)]\(location): \(reason)" + (shown.isEmpty ? "" : " (\(shown))")
    }
}

/// What a valid payload contained, for logs and metrics.
public struct ValidationReport: Sendable, Equatable {
    /// Number of records (forecasts, hubs, constraints...) in the payload.
    public var recordCount: Int
    /// Which response shape was recognised (e.g. `documented`, `live`).
    public var shape: String?
    /// A collector's own facts about the payload, each counted by the metrics as
    /// `scraper_snapshots_by_<name>_total{<name>="<value>"}`: e.g. `["quality": "FORECAST"]`
    /// becomes `scraper_snapshots_by_quality_total{quality="FORECAST"}`. Names are lower-case
    /// letters, digits and underscores.
    public var labels: [String: String]
    /// Rules of `warning` severity the payload broke (see ``RuleSeverity``): it is stored anyway,
    /// and each rule is counted and noted in the registry record.
    public var warnings: [ValidationWarning]

    public init(recordCount: Int, shape: String? = nil, labels: [String: String] = [:], warnings: [ValidationWarning] = []) {
        self.recordCount = recordCount
        self.shape = shape
        self.labels = labels
        self.warnings = warnings
    }
}

/// The outcome of validating one payload.
public enum ValidationResult: Sendable, Equatable {
    case valid(ValidationReport)
    case invalid(ValidationFailure)

    public var isValid: Bool {
        if case .valid = self { return true }
        return false
    }

    /// The failure, if invalid.
    public var failure: ValidationFailure? {
        if case .invalid(let f) = self { return f }
        return nil
    }
}
