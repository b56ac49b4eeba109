import Foundation

/// Deterministic payloads for the benchmark: MISO CTS responses in the documented shape
/// (`{"data": [records…], "metadata": {…}}`), the same field order and number style as the
/// simulator serves, so the validator does its real work on them.
///
/// Every number depends only on (seed, node, interval): the same arguments always give the same
/// bytes. Prices are whole cents, so `total = energy + congestion + losses` holds exactly and the
/// payload passes every documented-shape rule. 300 nodes × 288 intervals is about 25 MB.
///
/// ```swift
/// let body = BenchmarkPayload.documentedCTS(nodes: 300)        // ≈ 25 MB of valid JSON
/// let small = BenchmarkPayload.documentedCTS(nodes: 2, intervals: 3)
/// ```
package enum BenchmarkPayload {
    /// The operating day written into the payload unless another is given.
    package static let defaultDay = "2025-01-20"

    /// A documented-shape CTS body with `intervals` five-minute intervals (from midnight, at most
    /// 288) times `nodes` interface nodes, for operating day `day` (`YYYY-MM-DD`).
    package static func documentedCTS(nodes: Int = 300, intervals: Int = 288, seed: UInt64 = 1, day: String = defaultDay) -> Data {
        let nodeCount = max(1, nodes)
        let intervalCount = min(288, max(1, intervals))
        var data = Data(capacity: nodeCount * intervalCount * 300 + 256)
        var writer = PayloadWriter()
        writer.text(#"{"data":["#)
        for interval in 0..<intervalCount {
            for node in 1...nodeCount {
                if interval > 0 || node > 1 { writer.byte(UInt8(ascii: ",")) }
                writeRecord(into: &writer, day: day, minute: interval * 5, node: node, seed: seed)
            }
            data.append(contentsOf: writer.bytes)
            writer.bytes.removeAll(keepingCapacity: true)
        }
        writer.text(#"],"metadata":{"operatingDay":""#)
        writer.text(day)
        writer.text(#"","retrievalTimestamp":""#)
        writer.text(day)
        writer.text(#"T00:00:00-05:00","dataQuality":"VALIDATED"}}"#)
        data.append(contentsOf: writer.bytes)
        return data
    }

    /// Hour-of-day energy price shape, in cents (cheap at night, dear in the evening).
    private static let hourlyEnergyShape = [
        -600, -800, -900, -900, -700, -200, 500, 1100, 1300, 1200, 1000, 900,
        800, 800, 900, 1200, 1700, 2200, 2000, 1500, 1000, 500, 0, -400,
    ]

    private static func writeRecord(into w: inout PayloadWriter, day: String, minute: Int, node: Int, seed: UInt64) {
        var random = BenchmarkRandom(seed: seed, a: UInt64(node), b: UInt64(minute))
        let energy = 3000 + hourlyEnergyShape[minute / 60] + random.int(in: 0...1500)
        let congestion = random.int(in: -500...1000)
        let losses = random.int(in: -200...300)
        let lmpDirection = congestion > 50 ? "export" : congestion < -50 ? "import" : "neutral"
        let mwh = lmpDirection == "neutral" ? random.int(in: 0...200) : random.int(in: 0...5000)
        let transactionDirection = mwh == 0 || lmpDirection == "neutral" ? "BALANCED"
            : lmpDirection == "export" ? "MISO_TO_PJM" : "PJM_TO_MISO"

        w.text(#"{"timestamp":""#); w.text(day); w.byte(UInt8(ascii: "T")); w.clock(minute); w.text(#":00-05:00","interval":""#)
        w.clock(minute)
        w.text(#"","node":"MISO.PJM.INTERFACE"#); w.integer(node)
        w.text(#"","forecastedLMP":{"total":"#); w.cents(energy + congestion + losses)
        w.text(#","components":{"energy":"#); w.cents(energy)
        w.text(#","congestion":"#); w.cents(congestion)
        w.text(#","losses":"#); w.cents(losses)
        w.text(#"},"direction":""#); w.text(lmpDirection)
        w.text(#""},"transactionVolume":{"mwh":"#); w.tenths(mwh)
        w.text(#","direction":""#); w.text(transactionDirection)
        w.text(#""}}"#)
    }
}

/// Appends ASCII text and fixed-point numbers to a byte buffer without going through `String`.
struct PayloadWriter {
    var bytes: [UInt8] = []

    mutating func byte(_ b: UInt8) { bytes.append(b) }

    mutating func text(_ s: String) { bytes.append(contentsOf: s.utf8) }

    /// Non-negative whole number in decimal.
    mutating func integer(_ value: Int) {
        var digits: [UInt8] = []
        var v = value.magnitude
        repeat {
            digits.append(UInt8(ascii: "0") + UInt8(v % 10))
            v /= 10
        } while v > 0
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        bytes.append(contentsOf: digits.reversed())
    }

    /// `4550` -> `45.50`, `-191` -> `-1.91`.
    mutating func cents(_ value: Int) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        let m = Int(value.magnitude)
        integer(m / 100)
        bytes.append(UInt8(ascii: "."))
        bytes.append(UInt8(ascii: "0") + UInt8(m % 100 / 10))
        bytes.append(UInt8(ascii: "0") + UInt8(m % 10))
    }

    /// `2505` -> `250.5`.
    mutating func tenths(_ value: Int) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        let m = Int(value.magnitude)
        integer(m / 10)
        bytes.append(UInt8(ascii: "."))
        bytes.append(UInt8(ascii: "0") + UInt8(m % 10))
    }

    /// Minutes after midnight as `HH:MM`.
    mutating func clock(_ minutes: Int) {
        let h = minutes / 60, m = minutes % 60
        for d in [h / 10, h % 10] { bytes.append(UInt8(ascii: "0") + UInt8(d)) }
        bytes.append(UInt8(ascii: ":"))
        for d in [m / 10, m % 10] { bytes.append(UInt8(ascii: "0") + UInt8(d)) }
    }
}

/// SplitMix64 keyed by the seed and two record coordinates: reproducible across processes and platforms.
struct BenchmarkRandom {
    private var state: UInt64

    init(seed: UInt64, a: UInt64, b: UInt64) {
        state = seed &* 0x9E37_79B9_7F4A_7C15 ^ a &* 0xC2B2_AE3D_27D4_EB4F ^ b &* 0x1656_67B1_9E37_79F9
    }

    mutating func next() -> UInt64 {
        state = state &+ 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in `range` (inclusive).
    mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.upperBound - range.lowerBound + 1))
    }
}
