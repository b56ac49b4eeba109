/// How much a broken validation rule matters.
///
/// - `error`: the payload is refused and quarantined (never stored, never registered).
/// - `warning`: a known harmless quirk of a real feed (NYISO's off-grid 5-minute stamps, the
///   advisory rows at the end of today's file): the payload is stored, the rule is counted in
///   `scraper_validation_warnings_total{rule}` and noted in the registry record's metadata
///   (`validation_warnings`).
public enum RuleSeverity: String, Sendable, Equatable, CaseIterable {
    case error
    case warning
}

/// A rule a collector declares, so that `collectors.yaml` can change its severity
/// (`rule_severity: {nyiso_off_grid_stamp: error}`) and `scraper list --rules` can show it.
public struct ValidationRuleDeclaration: Sendable, Equatable {
    /// The stable rule name its failures carry, e.g. `nyiso_off_grid_stamp`.
    public var name: String
    public var defaultSeverity: RuleSeverity
    /// One line: what the rule checks.
    public var summary: String

    public init(_ name: String, _ defaultSeverity: RuleSeverity = .error, _ summary: String) {
        self.name = name
        self.defaultSeverity = defaultSeverity
        self.summary = summary
    }
}

/// The severity of every rule of one collector instance: its declarations' defaults with the
/// configuration's overrides on top. A rule nobody declared (the framework's own `csv_header`,
/// `csv_truncated`...) is an error.
public struct RuleSeverities: Sendable, Equatable {
    private var severities: [String: RuleSeverity]

    public init(declared: [ValidationRuleDeclaration] = [], overrides: [String: RuleSeverity] = [:]) {
        var severities: [String: RuleSeverity] = [:]
        for rule in declared { severities[rule.name] = rule.defaultSeverity }
        for (name, severity) in overrides { severities[name] = severity }
        self.severities = severities
    }

    public func severity(of rule: String) -> RuleSeverity { severities[rule] ?? .error }

    /// Checks `overrides` against the rules `declared`: returns a message naming each unknown rule
    /// and the rules that exist, or nil when all are known.
    public static func problems(in overrides: [String: RuleSeverity], declared: [ValidationRuleDeclaration], typeName: String) -> String? {
        let known = Set(declared.map(\.name))
        let unknown = overrides.keys.filter { !known.contains($0) }.sorted()
        guard !unknown.isEmpty else { return nil }
        let listed = declared.isEmpty ? "it declares no rule whose severity can change" : "its rules are " + declared.map(\.name).joined(separator: ", ")
        return "rule_severity names unknown rule(s) \(unknown.joined(separator: ", ")) for collector type \(typeName): \(listed)"
    }
}

/// A warning-severity rule a stored payload broke: how often, and the first place.
public struct ValidationWarning: Sendable, Equatable {
    public var rule: String
    public var count: Int
    /// The first occurrence, as a failure would describe it.
    public var first: String

    public init(rule: String, count: Int, first: String) {
        self.rule = rule
        self.count = count
        self.first = first
    }
}

extension ValidationWarning {
    /// The registry record's and the notification's metadata key: `{"<rule>": {"count": N, "first": "..."}}`.
    public static let metadataKey = "validation_warnings"

    static func metadata(_ warnings: [ValidationWarning]) -> JSONValue {
        .object(JSONObject(warnings.map { ($0.rule, .object(JSONObject([("count", .int($0.count)), ("first", .string($0.first))]))) }))
    }
}

/// Collects warnings by rule, in the order rules were first broken.
public struct ValidationWarningTally: Sendable, Equatable {
    public private(set) var warnings: [ValidationWarning] = []

    public init() {}

    public mutating func add(_ failure: ValidationFailure) {
        if let index = warnings.firstIndex(where: { $0.rule == failure.rule }) {
            warnings[index].count += 1
        } else {
            warnings.append(ValidationWarning(rule: failure.rule, count: 1, first: failure.description))
        }
    }
}
