import Foundation

/// A parameter a collector accepts (in `collectors.yaml` `parameters:`, with `scraper run --param
/// NAME=VALUE`, or as a filter of a request): its name, what kind of value it takes, help for
/// `scraper list`, and an optional check of the collector's own.
///
/// The runner checks every value against the declaration before any request, whatever the
/// collector (see ``check(_:against:collector:)``), so a collector's `candidates(for:)` only ever
/// sees declared names with accepted values.
public struct CollectorParameter: Sendable {
    /// What a parameter's value may be.
    public enum Kind: Sendable, Equatable {
        /// Non-empty text without control characters, at most `maxLength` characters.
        case string(maxLength: Int)
        /// A whole number in the range.
        case integer(ClosedRange<Int>)
        /// Exactly one of the values.
        case choice([String])
        /// `HH:MM`, hour 00-23, the minute a multiple of `gridMinutes` (5: 00, 05, ..., 55).
        case time(gridMinutes: Int)
        /// A real date, `YYYY-MM-DD`.
        case date
    }

    public var name: String
    public var kind: Kind
    /// One line for `scraper list` and `--help`.
    public var help: String
    /// A value that is accepted, quoted in error messages (`e.g. 14:35`).
    public var example: String?
    /// The collector's own check, run before the kind's: nil when `value` is accepted, else the
    /// reason, a phrase that says what is accepted.
    public var check: (@Sendable (_ value: String) -> String?)?

    public init(_ name: String, _ kind: Kind = .string(maxLength: 200), help: String, example: String? = nil,
                check: (@Sendable (_ value: String) -> String?)? = nil) {
        self.name = name
        self.kind = kind
        self.help = help
        self.example = example
        self.check = check
    }

    /// Why `value` is refused (a phrase saying what is accepted), or nil when it is accepted.
    public func problem(with value: String) -> String? {
        if let check, let problem = check(value) { return problem }
        let example = self.example.map { ", e.g. \($0)" } ?? ""
        switch kind {
        case .string(let maxLength):
            if value.allSatisfy(\.isWhitespace) { return "the \(name) must not be empty" + (self.example.map { "; give a value such as \($0)" } ?? "") }
            if value.count > maxLength { return "\(value.count) characters is longer than the \(maxLength) accepted" }
            if value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                return "control characters (newlines, tabs, NUL...) are not accepted"
            }
            return nil
        case .integer(let range):
            guard let number = Int(value), range.contains(number) else {
                return "expected a whole number from \(range.lowerBound) to \(range.upperBound)\(example)"
            }
            return nil
        case .choice(let values):
            guard values.contains(value) else {
                let hint = values.first { ConfigMapping.closeEnough($0, value) }.map { " (did you mean \(String(reflecting: $0))?)" } ?? ""
                return "expected one of \(values.joined(separator: ", "))\(hint)"
            }
            return nil
        case .time(let grid):
            guard Self.isTime(value, gridMinutes: grid) else { return "expected \(Self.timeDescription(gridMinutes: grid))\(example)" }
            return nil
        case .date:
            guard CalendarDate(iso: value) != nil else { return "expected a real date in YYYY-MM-DD form\(example)" }
            return nil
        }
    }

    /// Throws ``CollectorError/invalidArgument(_:)`` — `invalid NAME "VALUE" for TYPE: REASON` —
    /// when `value` is refused.
    public func validate(_ value: String, collector typeName: String) throws {
        if let problem = problem(with: value) {
            throw CollectorError.invalidArgument("invalid \(name) \(Self.quoted(value)) for \(typeName): \(problem)")
        }
    }

    /// Checks every value against `declared`: an unknown name is refused naming the accepted ones
    /// (with a "did you mean"), a bad value naming the parameter, the value and what is accepted.
    /// Names are checked in sorted order, so the first problem reported does not depend on hashing.
    public static func check(_ values: [String: String], against declared: [CollectorParameter], collector typeName: String) throws {
        for name in values.keys.sorted() {
            guard let parameter = declared.first(where: { $0.name == name }) else {
                throw CollectorError.invalidArgument(unknownMessage(name, accepted: declared.map(\.name), collector: typeName))
            }
            try parameter.validate(values[name]!, collector: typeName)
        }
    }

    /// `unknown filter "nodes" for miso.cts (did you mean "node"?): accepted filters are interval, node`.
    public static func unknownMessage(_ name: String, accepted: [String], collector typeName: String) -> String {
        let hint = accepted.first { $0.lowercased() == name.lowercased() || ConfigMapping.closeEnough($0, name) }
            .map { " (did you mean \(String(reflecting: $0))?)" } ?? ""
        let allowed = accepted.isEmpty ? "it accepts no filters" : "accepted filters are \(accepted.joined(separator: ", "))"
        return "unknown filter \(String(reflecting: name)) for \(typeName)\(hint): \(allowed)"
    }

    /// What the kind accepts, short, for `scraper list`: `text`, `HH:MM on the 5-minute grid`, `1-10`…
    public var kindDescription: String {
        switch kind {
        case .string(let maxLength): return "text (up to \(maxLength) characters)"
        case .integer(let range): return "whole number \(range.lowerBound)-\(range.upperBound)"
        case .choice(let values): return "one of \(values.joined(separator: ", "))"
        case .time(let grid): return grid <= 1 ? "HH:MM" : "HH:MM on the \(grid)-minute grid"
        case .date: return "YYYY-MM-DD"
        }
    }

    /// `HH:MM with hour 00-23 and minutes on the 5-minute grid (00, 05, ..., 55)`.
    static func timeDescription(gridMinutes grid: Int) -> String {
        guard grid > 1 else { return "HH:MM with hour 00-23 and minutes 00-59" }
        let minutes = stride(from: 0, to: 60, by: grid).map { String(format: "%02d", $0) }
        let listed = minutes.count <= 4 ? minutes.joined(separator: ", ") : "\(minutes[0]), \(minutes[1]), ..., \(minutes.last!)"
        return "HH:MM with hour 00-23 and minutes on the \(grid)-minute grid (\(listed))"
    }

    /// True for `HH:MM`, two digits each, hour 00-23, minute 00-59 and a multiple of `gridMinutes`.
    public static func isTime(_ text: String, gridMinutes grid: Int) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 5, bytes[2] == UInt8(ascii: ":") else { return false }
        let digits = [bytes[0], bytes[1], bytes[3], bytes[4]].map { Int($0) - Int(UInt8(ascii: "0")) }
        guard digits.allSatisfy({ (0...9).contains($0) }) else { return false }
        let hour = digits[0] * 10 + digits[1], minute = digits[2] * 10 + digits[3]
        return hour <= 23 && minute <= 59 && minute % max(1, grid) == 0
    }

    /// The value in quotes with control characters escaped (one line); a long one cut at 40 characters.
    static func quoted(_ text: String) -> String {
        text.count > 40 ? String(reflecting: String(text.prefix(40))) + "…" : String(reflecting: text)
    }
}

extension CollectorParameter: Equatable {
    /// Equal when name, kind, help and example are (a custom check cannot be compared).
    public static func == (a: CollectorParameter, b: CollectorParameter) -> Bool {
        a.name == b.name && a.kind == b.kind && a.help == b.help && a.example == b.example && (a.check == nil) == (b.check == nil)
    }
}
