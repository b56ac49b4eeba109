import Foundation

/// What a CSV payload must look like: its columns, found by name (their position may vary, as SPP's
/// BAA column does), and the rules each row must pass.
public struct CSVSchema: Sendable {
    /// A column the file must have, under its name or one of its older spellings.
    public struct Column: Sendable {
        public var name: String
        public var alternatives: [String]
        /// A column some files have and others lack (SPP's BAA): read when present, never required.
        public var optional: Bool
        public init(_ name: String, alternatives: [String] = [], optional: Bool = false) {
            self.name = name
            self.alternatives = alternatives
            self.optional = optional
        }
    }

    /// One data row, its columns reachable by the schema's names.
    public struct Row: Sendable {
        /// 1-based record number in the file (the header is 1).
        public var number: Int
        public var values: [String: String]
        public subscript(_ column: String) -> String { values[column] ?? "" }
    }

    public var columns: [Column]
    /// Each rule sees every row and returns a failure to refuse the file.
    public var rowRules: [@Sendable (Row) -> CSVValidationFailure?]
    /// At least this many data rows (0: an empty file is allowed).
    public var minimumRows: Int

    public init(columns: [Column], minimumRows: Int = 1, rowRules: [@Sendable (Row) -> CSVValidationFailure?] = []) {
        self.columns = columns
        self.minimumRows = minimumRows
        self.rowRules = rowRules
    }

    /// A rule that `column` holds a decimal number written plainly (`-12.5`, `3`, `1.2E-3`): not `nan`,
    /// `inf` or hexadecimal, which `Double(_:)` would take (rule `numeric` unless named). A column the
    /// file lacks (an optional one) passes.
    public static func numeric(_ column: String, rule: String? = nil) -> @Sendable (Row) -> CSVValidationFailure? {
        { row in
            guard let value = row.values[column] else { return nil }
            guard !isPlainDecimal(value.trimmingCharacters(in: .whitespaces)) else { return nil }
            return CSVValidationFailure(rule: rule ?? "numeric", row: row.number, column: column, value: value, reason: "is not a number")
        }
    }

    /// Digits with an optional sign, fraction and exponent, and finite.
    public static func isPlainDecimal(_ text: String) -> Bool {
        var sawDigit = false, sawDot = false, sawExponent = false
        var previous: UInt8 = 0
        for (index, byte) in text.utf8.enumerated() {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): sawDigit = true
            case UInt8(ascii: "-"), UInt8(ascii: "+"):
                guard index == 0 || previous == UInt8(ascii: "e") || previous == UInt8(ascii: "E") else { return false }
            case UInt8(ascii: "."):
                guard !sawDot, !sawExponent else { return false }
                sawDot = true
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                guard sawDigit, !sawExponent else { return false }
                sawExponent = true
            default: return false
            }
            previous = byte
        }
        return sawDigit && (Double(text)?.isFinite ?? false)
    }
}

/// A CSV file's failure, with where it is: the rule, the 1-based row (the header is row 1), the column
/// and the value.
public struct CSVValidationFailure: Sendable, Equatable {
    public var rule: String
    public var row: Int?
    public var column: String?
    public var value: String?
    public var reason: String

    public init(rule: String, row: Int? = nil, column: String? = nil, value: String? = nil, reason: String) {
        self.rule = rule
        self.row = row
        self.column = column
        self.value = value
        self.reason = reason
    }

    /// As the pipeline reports and quarantines failures.
    public var validationFailure: ValidationFailure {
        var where_ = row.map { "row \($0)" } ?? ""
        if let column { where_ += (where_.isEmpty ? "" : ", ") + "column \(column.debugDescription)" }
        var values: [String: String] = [:]
        if let value { values["value"] = value }
        let text = (where_.isEmpty ? "" : where_ + ": ") + (value.map { "\($0.debugDescription) " } ?? "") + reason
        return ValidationFailure(rule: rule, reason: text, recordIndex: row, field: column, values: values)
    }
}

/// A collector's own checks across the rows of one CSV file (the schema's row rules see one row at a
/// time): interval grids, row counts per market day, duplicate keys. Failures come back with their
/// rule; ``CSVStreamingValidator`` decides from the rule's ``RuleSeverity`` whether they refuse the
/// file or are tallied as warnings, so a checker reports everything it sees and keeps going.
public protocol CSVRowChecker: Sendable {
    /// Sees the header's names (trimmed), once, before any row.
    mutating func header(_ names: [String]) -> [CSVValidationFailure]
    /// Sees every data row that passed the schema's field count.
    mutating func row(_ row: CSVSchema.Row) -> [CSVValidationFailure]
    /// After the last row: checks of the file as a whole.
    mutating func finish(rows: Int) -> [CSVValidationFailure]
    /// Facts for the validation report (``ValidationReport/labels``).
    var labels: [String: String] { get }
}

extension CSVRowChecker {
    public mutating func header(_ names: [String]) -> [CSVValidationFailure] { [] }
    public mutating func finish(rows: Int) -> [CSVValidationFailure] { [] }
    public var labels: [String: String] { [:] }
}

/// Validates a CSV payload as it streams in (``StreamingValidator``): the header against the schema's
/// columns, then every row's field count, the schema's rules and the collector's ``CSVRowChecker``.
/// An `error`-severity failure refuses the file at once, with its row, column and value; a
/// `warning` one is tallied into the report. A file that ends inside a quoted field is truncated.
public struct CSVStreamingValidator: StreamingValidator, Sendable {
    public let schema: CSVSchema
    private var checker: (any CSVRowChecker)?
    private let severities: RuleSeverities
    private var reader = CSVRecordReader()
    private var positions: [String: Int] = [:]
    private var headerWidth = 0
    private var rows = 0
    /// Records checked so far (the header is record 1): a chunk completes many records, so the
    /// reader's own count is the chunk's end, not the record's number.
    private var recordsChecked = 0
    private var failure: CSVValidationFailure?
    private var warnings = ValidationWarningTally()

    public init(schema: CSVSchema, checker: (any CSVRowChecker)? = nil, severities: RuleSeverities = RuleSeverities()) {
        self.schema = schema
        self.checker = checker
        self.severities = severities
    }

    public mutating func consume(_ chunk: Data) -> ValidationFailure? {
        guard failure == nil else { return failure?.validationFailure }
        for record in reader.consume(chunk) {
            if let failure = check(record) {
                self.failure = failure
                return failure.validationFailure
            }
        }
        return nil
    }

    public mutating func finish() -> ValidationResult {
        if let failure { return .invalid(failure.validationFailure) }
        if reader.isInsideQuotes {
            return .invalid(CSVValidationFailure(rule: "csv_truncated", row: recordsChecked + 1,
                                                 reason: "the file ends inside a quoted field: it was cut off").validationFailure)
        }
        if let last = reader.finish(), let failure = check(last) { return .invalid(failure.validationFailure) }
        if headerWidth == 0 {
            return .invalid(CSVValidationFailure(rule: "csv_header", reason: "the file is empty: no header line").validationFailure)
        }
        if rows < schema.minimumRows {
            return .invalid(CSVValidationFailure(rule: "csv_rows", reason: "has \(rows) data row(s), fewer than \(schema.minimumRows)").validationFailure)
        }
        if var checker = takeChecker() {
            let found = checker.finish(rows: rows)
            self.checker = checker
            if let failure = sort(found) { return .invalid(failure.validationFailure) }
        }
        return .valid(ValidationReport(recordCount: rows, shape: "csv", labels: checker?.labels ?? [:], warnings: warnings.warnings))
    }

    /// Moves the checker out (so that mutating it does not copy its state), to be put back after.
    private mutating func takeChecker() -> (any CSVRowChecker)? {
        defer { checker = nil }
        return checker
    }

    /// Tallies the warnings among `found` and returns the first error, if any.
    private mutating func sort(_ found: [CSVValidationFailure]) -> CSVValidationFailure? {
        var firstError: CSVValidationFailure?
        for failure in found {
            if severities.severity(of: failure.rule) == .warning {
                warnings.add(failure.validationFailure)
            } else if firstError == nil {
                firstError = failure
            }
        }
        return firstError
    }

    private mutating func check(_ record: [String]) -> CSVValidationFailure? {
        recordsChecked += 1
        let number = recordsChecked
        if headerWidth == 0 {
            let names = record.map { $0.trimmingCharacters(in: .whitespaces) }
            for column in schema.columns {
                guard let index = ([column.name] + column.alternatives).lazy.compactMap({ names.firstIndex(of: $0) }).first else {
                    if column.optional { continue }
                    return CSVValidationFailure(rule: "csv_header", row: 1, column: column.name,
                                                reason: "is missing from the header \(names)")
                }
                positions[column.name] = index
            }
            headerWidth = record.count
            if var checker = takeChecker() {
                let found = checker.header(names)
                self.checker = checker
                return sort(found)
            }
            return nil
        }
        guard record.count == headerWidth else {
            return CSVValidationFailure(rule: "csv_column_count", row: number,
                                        reason: "has \(record.count) fields where the header has \(headerWidth)")
        }
        rows += 1
        var values: [String: String] = [:]
        for (name, index) in positions { values[name] = record[index] }
        let row = CSVSchema.Row(number: number, values: values)
        var found: [CSVValidationFailure] = []
        for rule in schema.rowRules { if let failure = rule(row) { found.append(failure) } }
        if var checker = takeChecker() {
            found += checker.row(row)
            self.checker = checker
        }
        return sort(found)
    }
}
