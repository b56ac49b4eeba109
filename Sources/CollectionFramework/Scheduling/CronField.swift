/// One of the five fields of a cron expression: the set of values it allows, as a bit mask.
struct CronField: Equatable, Sendable {
    /// Which field this is: its name, range and optional value names.
    struct Kind: Sendable {
        let name: String
        let range: ClosedRange<Int>
        /// `JAN`…`DEC` or `SUN`…`SAT`, mapped to their numbers.
        let names: [String: Int]

        static let minute = Kind(name: "minute", range: 0...59, names: [:])
        static let hour = Kind(name: "hour", range: 0...23, names: [:])
        static let dayOfMonth = Kind(name: "day of month", range: 1...31, names: [:])
        static let month = Kind(name: "month", range: 1...12, names: Dictionary(uniqueKeysWithValues:
            ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"].enumerated().map { ($1, $0 + 1) }))
        /// 0 and 7 both mean Sunday.
        static let dayOfWeek = Kind(name: "day of week", range: 0...7, names: Dictionary(uniqueKeysWithValues:
            ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"].enumerated().map { ($1, $0) }))
    }

    /// Bit `n` set when value `n` is allowed.
    private(set) var mask: UInt64 = 0
    /// False when the field was written starting with `*` (it then does not restrict days; see the DOM/DOW rule).
    let restricts: Bool

    func contains(_ value: Int) -> Bool { value >= 0 && value < 64 && mask & (1 << UInt64(value)) != 0 }

    /// Parses one field: a comma-separated list of `*`, `*/n`, `a`, `a-b`, `a-b/n` or `a/n` (a through the maximum, every n).
    init(_ text: String, kind: Kind, expression: String) throws {
        restricts = !text.hasPrefix("*")
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            try add(String(item), kind: kind, expression: expression)
        }
        if kind.range == Kind.dayOfWeek.range, contains(7) { mask |= 1 } // Sunday written as 7
    }

    private mutating func add(_ item: String, kind: Kind, expression: String) throws {
        func fail(_ why: String) -> CronError {
            CronError(expression, "\(kind.name) field item \(item.debugDescription) \(why); write *, */n, a, a-b, a-b/n or a list a,b (\(kind.name) values \(kind.range.lowerBound)-\(kind.range.upperBound)\(kind.names.isEmpty ? "" : " or names like \(kind.names.sorted { $0.value < $1.value }.first!.key)"))")
        }
        guard !item.isEmpty else { throw fail("is empty") }
        let parts = item.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { throw fail("has more than one /") }
        var step = 1
        if parts.count == 2 {
            guard let n = Int(parts[1]), n >= 1, n <= kind.range.upperBound + 1 else { throw fail("has a step that is not a whole number from 1 to \(kind.range.upperBound + 1)") }
            step = n
        }
        let base = String(parts[0])
        var low: Int, high: Int
        if base == "*" {
            low = kind.range.lowerBound
            high = kind.range.upperBound
        } else {
            let bounds = base.split(separator: "-", omittingEmptySubsequences: false)
            guard bounds.count <= 2 else { throw fail("has more than one -") }
            guard let a = value(String(bounds[0]), kind: kind) else { throw fail("names a value outside \(kind.range.lowerBound)-\(kind.range.upperBound)") }
            low = a
            if bounds.count == 2 {
                guard let b = value(String(bounds[1]), kind: kind) else { throw fail("names a value outside \(kind.range.lowerBound)-\(kind.range.upperBound)") }
                guard a <= b else { throw fail("is a range that runs backwards") }
                high = b
            } else {
                high = parts.count == 2 ? kind.range.upperBound : a
            }
        }
        for v in stride(from: low, through: high, by: step) { mask |= 1 << UInt64(v) }
    }

    private func value(_ text: String, kind: Kind) -> Int? {
        if let named = kind.names[text.uppercased()] { return named }
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(text), kind.range.contains(n) else { return nil }
        return n
    }
}
