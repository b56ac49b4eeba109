/// One line of the benchmark table: what was measured, over how many bytes, how long it took, and
/// (optionally) its ratio to a named reference row together with the target that ratio must meet.
package struct BenchmarkRow: Sendable, Equatable {
    /// Section the row belongs to (`baseline`, `stage`, `pipeline`, `memory`, `backfill`, `startup`).
    package var group: String
    package var name: String
    /// Bytes processed (0 when throughput makes no sense, e.g. start-up time).
    package var bytes: Int
    /// Seconds (best of the repetitions), or the measured quantity itself for non-time rows.
    package var seconds: Double
    /// Free-form figure shown instead of seconds and MB/s (e.g. `61.2 MB above idle`).
    package var note: String?
    /// This row's value divided by the reference's, and the reference's name.
    package var ratio: Double?
    package var ratioReference: String?
    /// Largest acceptable ratio (nil: informational row).
    package var ratioLimit: Double?

    package init(group: String, name: String, bytes: Int = 0, seconds: Double, note: String? = nil,
                ratio: Double? = nil, ratioReference: String? = nil, ratioLimit: Double? = nil) {
        self.group = group
        self.name = name
        self.bytes = bytes
        self.seconds = seconds
        self.note = note
        self.ratio = ratio
        self.ratioReference = ratioReference
        self.ratioLimit = ratioLimit
    }

    /// Decimal megabytes (10^6 bytes) per second, or nil without bytes or time.
    package var megabytesPerSecond: Double? {
        guard bytes > 0, seconds > 0 else { return nil }
        return Double(bytes) / 1e6 / seconds
    }

    /// True/false when the row has a limit, nil when it is informational.
    package var meetsTarget: Bool? {
        guard let ratio, let ratioLimit else { return nil }
        return ratio <= ratioLimit
    }
}
