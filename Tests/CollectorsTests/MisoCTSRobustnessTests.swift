import CollectionFramework
import Collectors
import Foundation
import TestSupport
import XCTest

/// `validate` never crashes: random bytes and mutated valid payloads of both shapes are judged, and
/// payloads that break a rule are invalid with that rule.
final class MisoCTSRobustnessTests: XCTestCase {
    private let collector = try! MisoCTSCollector(configuration: CollectorConfiguration(name: "miso-cts"))
    private let day = try! MisoCTSCollector(configuration: CollectorConfiguration(name: "miso-cts"))
        .candidates(for: CollectionRequest(mode: .day(CalendarDate(year: 2025, month: 1, day: 20)!)))[0]
    private typealias P = CTSPayloads

    private func rule(_ data: Data) -> String? { collector.validate(data, for: day).failure?.rule }

    private func replacing(_ target: String, with replacement: String, in data: Data) -> Data {
        let text = String(decoding: data, as: UTF8.self)
        precondition(text.contains(target), "fixture lacks \(target)")
        return Data(text.replacingOccurrences(of: target, with: replacement).utf8)
    }

    func testRandomBytesAreRejectedWithoutCrashing() {
        var rng = SplitMix64(seed: 2025)
        for round in 0..<3_000 {
            let length = Int(rng.next() % 400)
            var bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            if round % 3 == 0, !bytes.isEmpty { bytes[0] = UInt8(ascii: "{") }
            let result = collector.validate(Data(bytes), for: day)
            XCTAssertEqual(result.failure?.rule, "json_structure", "round \(round)")
        }
    }

    func testEveryTruncationIsRejected() {
        for payload in [P.documented(), P.live()] {
            for length in stride(from: 0, to: payload.count, by: 1) {
                XCTAssertEqual(rule(payload.prefix(length)), "json_structure", "truncated to \(length) bytes")
            }
        }
    }

    func testRandomMutationsNeverCrashAndAcceptedOnesStillObeyTheRules() throws {
        var rng = SplitMix64(seed: 77)
        let alphabet = Array("{}[]\",:.-+eE0123456789 tfnulNaIy\\APMxX_".utf8) + [0x00, 0x0A, 0x80, 0xC3, 0xED, 0xFF]
        var accepted = 0
        for seed in [P.documented(), P.live()] {
            for _ in 0..<3_000 {
                let bytes = ByteMutation.mutate(Array(seed), alphabet: alphabet, using: &rng)
                let result = collector.validate(Data(bytes), for: day)
                guard case .valid(let report) = result else { continue }
                accepted += 1
                // Whatever was accepted must really hold: re-check the invariants independently.
                let root = try JSONParser.parse(Data(bytes))
                if report.shape == "documented" {
                    for record in root["data"]?.array ?? [] {
                        let lmp = record["forecastedLMP"]
                        let parts = ["energy", "congestion", "losses"].compactMap { lmp?["components"]?[$0]?.number }
                        XCTAssertEqual(parts.count, 3)
                        XCTAssertLessThanOrEqual(abs((lmp?["total"]?.number ?? .nan) - parts.reduce(0, +)), 0.01)
                        XCTAssertTrue(MisoCTSCollector.isValidInterval(record["interval"]?.string ?? ""))
                        XCTAssertGreaterThanOrEqual(record["transactionVolume"]?["mwh"]?.number ?? -1, 0)
                    }
                    XCTAssertEqual(root["metadata"]?["operatingDay"]?.string, "2025-01-20")
                } else {
                    XCTAssertEqual(report.shape, "live")
                }
            }
        }
        XCTAssertGreaterThan(accepted, 0)
    }

    func testWrongTypesFailTheirRule() {
        let base = P.documented()
        XCTAssertEqual(rule(replacing(#""total": 45.5"#, with: #""total": "45.5""#, in: base)), "numeric_values")
        XCTAssertEqual(rule(replacing(#""mwh": 250.5"#, with: #""mwh": [250.5]"#, in: base)), "numeric_values")
        XCTAssertEqual(rule(replacing(#""direction": "export""#, with: #""direction": 1"#, in: base)), "lmp_direction")
        XCTAssertEqual(rule(replacing(#""interval": "09:00""#, with: #""interval": null"#, in: base)), "interval_format")
        XCTAssertEqual(rule(replacing(#""components": {"#, with: #""components": 5, "x": {"#, in: base)), "json_structure")
        XCTAssertEqual(rule(replacing(#""dataQuality": "FORECAST""#, with: #""dataQuality": true"#, in: base)), "data_quality")
        XCTAssertEqual(rule(replacing(#""PJMFORECASTEDLMP": "45.73""#, with: #""PJMFORECASTEDLMP": 45.73"#, in: P.live())), "live_price_numeric")
        XCTAssertEqual(rule(replacing(#""RefId": "27-Jul-2026 - Interval 08:00 EST""#, with: #""RefId": {}"#, in: P.live())), "live_refid")
    }

    func testStrictJSONProblemsAreStructureFailures() {
        let base = P.documented()
        let cases: [(Data, String)] = [
            (replacing("45.5", with: "NaN", in: base), "NaN"),
            (replacing("45.5", with: "Infinity", in: base), "Infinity"),
            (replacing("45.5", with: "1e309", in: base), "1e309"),
            (replacing("250.5", with: "-1e400000", in: base), "64-bit float"),
            (replacing(#""node": "#, with: #""node": "dup", "node": "#, in: base), "duplicate key \"node\""),
            (replacing(#""data": "#, with: #""data": [], "data": "#, in: base), "duplicate key \"data\""),
            (replacing("45.5", with: String(repeating: "[", count: 600) + String(repeating: "]", count: 600), in: base), "nested deeper"),
            (replacing("45.5", with: "045.5", in: base), "leading zeros"),
            (replacing("MISO.PJM", with: "MISO\\qPJM", in: base), "not a JSON escape"),
            (base + Data(" x".utf8), "after the end"),
            (Data([0xEF, 0xBB, 0xBF]) + base, "byte order mark"),
        ]
        for (data, words) in cases {
            let failure = collector.validate(data, for: day).failure
            XCTAssertEqual(failure?.rule, "json_structure", words)
            XCTAssertTrue(failure?.reason.contains(words) ?? false, "\(failure?.reason ?? "accepted") lacks \(words)")
            XCTAssertNotNil(failure?.values["offset"])
        }
        var invalidUTF8 = Array(base)
        let at = invalidUTF8.firstIndex(of: UInt8(ascii: "M"))!
        invalidUTF8[at] = 0xFF
        XCTAssertEqual(rule(Data(invalidUTF8)), "json_structure")
        XCTAssertTrue(collector.validate(Data(invalidUTF8), for: day).failure?.reason.contains("UTF-8") ?? false)
        invalidUTF8[at] = 0xC0
        invalidUTF8.insert(0xAF, at: at + 1)
        XCTAssertEqual(rule(Data(invalidUTF8)), "json_structure")
    }

    func testLargeDocumentedPayloadIsValid() {
        let payload = P.largeDocumented(bytes: 1_000_000)
        guard case .valid(let report) = collector.validate(payload, for: day) else {
            return XCTFail("\(collector.validate(payload, for: day))")
        }
        XCTAssertGreaterThan(report.recordCount, 2_000)
    }
}
