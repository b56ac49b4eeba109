import Foundation

/// Peak resident memory of the pipeline on one payload, measured in a fresh child process (so
/// nothing the parent did earlier counts): the child records its idle resident set, generates the
/// payload, runs it through the pipeline once and reports `VmHWM`.
///
/// The child side is ``report(_:)`` (one line on stdout); the parent side parses it with
/// ``init(line:)``. `scraper bench --memory-probe` is that child.
package struct MemoryProbe: Sendable, Equatable {
    /// Resident bytes before the payload existed.
    package var idleBytes: Int
    /// Peak resident bytes over the whole run.
    package var peakBytes: Int
    package var payloadBytes: Int
    /// Largest accepted (peak − idle) / payload.
    package static let limitRatio = 3.0

    package init(idleBytes: Int, peakBytes: Int, payloadBytes: Int) {
        self.idleBytes = idleBytes
        self.peakBytes = peakBytes
        self.payloadBytes = payloadBytes
    }

    /// Peak above idle, as a multiple of the payload size.
    package var ratio: Double { Double(peakBytes - idleBytes) / Double(max(1, payloadBytes)) }

    static let prefix = "memory-probe"

    /// The line the child prints: `memory-probe idle=… peak=… payload=…`.
    package var line: String { "\(Self.prefix) idle=\(idleBytes) peak=\(peakBytes) payload=\(payloadBytes)" }

    /// Reads a ``line`` back; nil if `text` holds none.
    package init?(line text: String) {
        guard let line = text.split(separator: "\n").last(where: { $0.hasPrefix(Self.prefix + " ") }) else { return nil }
        var fields: [String: Int] = [:]
        for part in line.split(separator: " ").dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1)
            if pair.count == 2, let value = Int(pair[1]) { fields[String(pair[0])] = value }
        }
        guard let idle = fields["idle"], let peak = fields["peak"], let payload = fields["payload"] else { return nil }
        self.init(idleBytes: idle, peakBytes: peak, payloadBytes: payload)
    }

    /// Child side: measures idle, makes the payload with `makePayload`, runs `process` on it once.
    package static func measure(makePayload: () -> Data, process: (Data) async throws -> Void) async throws -> MemoryProbe {
        ProcessMemory.resetPeak()
        guard let idle = ProcessMemory.residentBytes else { throw BenchmarkError.toolMissing("/proc/self/status is not readable: the memory probe needs Linux") }
        let payload = makePayload()
        try await process(payload)
        return MemoryProbe(idleBytes: idle, peakBytes: ProcessMemory.peakResidentBytes ?? 0, payloadBytes: payload.count)
    }

    /// The table row for this measurement.
    package var row: BenchmarkRow {
        BenchmarkRow(group: "memory", name: "peak RSS above idle, one payload through the pipeline (child process)",
                     bytes: payloadBytes, seconds: 0,
                     note: String(format: "%.1f MB above idle %.1f MB", Double(peakBytes - idleBytes) / 1e6, Double(idleBytes) / 1e6),
                     ratio: ratio, ratioReference: "payload", ratioLimit: Self.limitRatio)
    }
}
