import CollectionFramework
import Collectors
import Foundation
import TestSupport
import XCTest

/// Ex-ante `validate` never crashes: random bytes, every truncation and random mutations of a
/// valid payload are judged, and whatever is accepted really obeys the rules.
final class MisoExAnteRobustnessTests: XCTestCase {
    private let collector = try! MisoExAnteLMPCollector(configuration: CollectorConfiguration(name: "miso-exante-lmp"))
    private var candidate: DownloadCandidate { try! collector.candidates(for: CollectionRequest())[0] }
    private typealias P = ExAntePayloads

    func testRandomBytesAreRejectedWithoutCrashing() {
        var rng = SplitMix64(seed: 815)
        let c = candidate
        for round in 0..<3_000 {
            var bytes = (0..<Int(rng.next() % 400)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            if round % 3 == 0, !bytes.isEmpty { bytes[0] = UInt8(ascii: "{") }
            XCTAssertEqual(collector.validate(Data(bytes), for: c).failure?.rule, "json_structure", "round \(round)")
        }
    }

    func testEveryTruncationIsRejected() {
        let payload = P.payload(hubs: .array(P.nineHubs))
        let c = candidate
        for length in 0..<payload.count {
            XCTAssertEqual(collector.validate(payload.prefix(length), for: c).failure?.rule, "json_structure", "truncated to \(length) bytes")
        }
    }

    func testRandomMutationsNeverCrashAndAcceptedOnesStillObeyTheRules() throws {
        var rng = SplitMix64(seed: 2026)
        let alphabet = Array("{}[]\",:.-+eE0123456789 tfnulNaIHUB\\ES_x".utf8) + [0x00, 0x0A, 0x80, 0xC3, 0xED, 0xFF]
        let seed = Array(P.payload(hubs: .array(P.nineHubs)))
        let c = candidate
        var accepted = 0
        var rules = Set<String>()
        for _ in 0..<6_000 {
            let bytes = ByteMutation.mutate(seed, alphabet: alphabet, using: &rng)
            let result = collector.validate(Data(bytes), for: c)
            guard case .valid(let report) = result else {
                rules.insert(result.failure!.rule)
                continue
            }
            accepted += 1
            // Re-check what was accepted, independently of the validator.
            let root = try JSONParser.parse(Data(bytes))
            let lmp = try XCTUnwrap(root["LMPData"])
            let refId = try XCTUnwrap(lmp["RefId"]?.string)
            let hour = try XCTUnwrap(lmp["ExAnteLMP"]?["HourAndMin"]?.string)
            XCTAssertTrue(refId.hasSuffix("Interval \(hour) EST"), "\(refId) / \(hour)")
            let hubs = try XCTUnwrap(lmp["ExAnteLMP"]?["Hub"]?.array)
            XCTAssertFalse(hubs.isEmpty)
            XCTAssertEqual(report.recordCount, hubs.count)
            let names = hubs.compactMap { $0["name"]?.string }
            XCTAssertEqual(Set(names).count, hubs.count, "hub names are unique")
            for hub in hubs {
                for field in ["LMP", "loss", "congestion"] {
                    let value = Double(try XCTUnwrap(hub[field]?.string))
                    XCTAssertTrue(value?.isFinite == true, "\(field) \(hub[field]?.string ?? "")")
                }
            }
        }
        XCTAssertGreaterThan(accepted, 0)
        XCTAssertTrue(rules.isSuperset(of: ["json_structure", "exante_price_numeric"]), "\(rules)")
    }

    func testStrictJSONProblemsAreStructureFailures() {
        let base = String(decoding: P.payload(), as: UTF8.self)
        for (bad, words) in [(base.replacingOccurrences(of: #""LMPData": "#, with: #""LMPData": 1, "LMPData": "#), "duplicate key"),
                             (base + " x", "after the end"),
                             (base.replacingOccurrences(of: "\"22.12\"", with: String(repeating: "[", count: 600) + String(repeating: "]", count: 600)), "nested deeper")] {
            let failure = collector.validate(Data(bad.utf8), for: candidate).failure
            XCTAssertEqual(failure?.rule, "json_structure", words)
            XCTAssertTrue(failure?.reason.contains(words) == true, "\(failure?.reason ?? "accepted") lacks \(words)")
        }
    }
}
