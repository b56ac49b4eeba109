/// A reproducible pseudo-random stream keyed by the simulator's seed and a text key (e.g. date, interval
/// and node), so each record's numbers depend only on what identifies it. Swift's `Hasher` is seeded per
/// process, so the key is hashed with FNV-1a and the stream is SplitMix64.
struct SeededRandom {
    private var state: UInt64

    init(seed: UInt64, key: String) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        state = hash ^ (seed &* 0x9E37_79B9_7F4A_7C15)
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
        let span = UInt64(range.upperBound - range.lowerBound + 1)
        return range.lowerBound + Int(next() % span)
    }
}
