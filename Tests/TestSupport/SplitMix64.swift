/// A small seeded generator so fuzz and property-test failures reproduce.
public struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random byte-level mutations of a valid payload, for validator fuzz tests: one to four edits,
/// each replacing, removing, inserting (from `alphabet`) or swapping bytes.
public enum ByteMutation {
    public static func mutate(_ seed: [UInt8], alphabet: [UInt8], using rng: inout SplitMix64) -> [UInt8] {
        var bytes = seed
        for _ in 0..<Int(rng.next() % 4) + 1 {
            let at = Int(rng.next() % UInt64(bytes.count))
            switch rng.next() % 4 {
            case 0: bytes[at] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
            case 1: bytes.remove(at: at)
            case 2: bytes.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: at)
            default: bytes.swapAt(at, Int(rng.next() % UInt64(bytes.count)))
            }
            if bytes.isEmpty { bytes = [0x7B] }
        }
        return bytes
    }
}
