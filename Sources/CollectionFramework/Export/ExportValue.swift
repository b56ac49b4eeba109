import Foundation

/// One cell of an exported row. CSV writes every kind as text; JSON Lines keeps numbers as numbers
/// and missing values as `null`.
public enum ExportValue: Sendable, Equatable {
    case text(String)
    case number(Double)
    /// No value: the shape this row came from has no such field.
    case missing

    /// An optional text, `missing` when nil.
    public static func text(_ value: String?) -> ExportValue { value.map(ExportValue.text) ?? .missing }
    /// An optional number, `missing` when nil.
    public static func number(_ value: Double?) -> ExportValue { value.map(ExportValue.number) ?? .missing }

    /// The value as CSV writes it (before quoting): numbers in their shortest exact form, missing as empty.
    public var plainText: String {
        switch self {
        case .text(let text): return text
        case .number(let number): return ExportValue.format(number)
        case .missing: return ""
        }
    }

    /// The value as JSON Lines writes it: whole numbers as integers, missing as `null`.
    public var jsonValue: JSONValue {
        switch self {
        case .text(let text): return .string(text)
        case .number(let number): return ExportValue.isWhole(number) ? .int(Int(number)) : .double(number)
        case .missing: return .null
        }
    }

    /// `45.73`, `-1.5`, `12` (whole numbers without a trailing `.0`).
    static func format(_ number: Double) -> String {
        isWhole(number) ? String(Int64(number)) : String(number)
    }

    /// Whole and small enough to write without a fraction or exponent.
    private static func isWhole(_ number: Double) -> Bool {
        number == number.rounded() && abs(number) < 1e15
    }
}
