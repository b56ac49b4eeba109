import Foundation

extension OperatingDay {
    /// `20250120`.
    var compact: String { String(format: "%04d%02d%02d", year, month, day) }

    /// Parses `YYYYMMDD`.
    init?(compact text: String) {
        guard text.count == 8, text.allSatisfy(\.isNumber) else { return nil }
        self.init(iso: "\(text.prefix(4))-\(text.dropFirst(4).prefix(2))-\(text.suffix(2))")
    }
}

/// Deterministic prices: the same (seed, key) always gives the same numbers, so every request for the
/// same file returns the same bytes.
enum ISOPrices {
    /// A price in cents from about -20.00 to 120.00 (mostly 15 to 60), keyed by `key`.
    static func cents(seed: UInt64, _ key: String) -> Int {
        var random = SeededRandom(seed: seed, key: key)
        let base = random.int(in: 1500...6000)
        return random.int(in: 0...49) == 0 ? random.int(in: -2000...12000) : base
    }

    /// `cents` written with 2 decimals, e.g. `21.53`, `-0.50`.
    static func text(_ cents: Int) -> String {
        let sign = cents < 0 ? "-" : ""
        return sign + String(abs(cents) / 100) + "." + String(format: "%02d", abs(cents) % 100)
    }
}
