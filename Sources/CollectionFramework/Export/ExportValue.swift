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

    /// `45.73`, `-1.5`, `12` (whole numbers without a trailing `.0`).
    static func format(_ number: Double) -> String {
        if number == number.rounded(), abs(number) < 1e15 { return String(Int64(number)) }
        return String(number)
    }
}
