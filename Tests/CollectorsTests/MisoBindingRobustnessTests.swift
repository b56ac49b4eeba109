import CollectionFramework
import Collectors
import Foundation
import TestSupport
import XCTest

/// Binding-constraint `validate` never crashes: random bytes, every truncation and random mutations
/// of valid payloads (constraints and the nothing-binding form) are judged, and whatever is
/// accepted really obeys the rules.
final class MisoBindingRobustnessTests: XCTestCase {
    private let collector = try! MisoBindingConstraintsCollector(configuration: CollectorConfiguration(name: "miso-binding-constraints"))
    private var candidate: DownloadCandidate { try! collector.candidates(for: CollectionRequest())[0] }
    private typealias P = BindingPayloads

    func testRandomBytesAreRejectedWithoutCrashing() {
        var rng = SplitMix64(seed: 810)
        let c = candidate
        for round in 0..<3_000 {
            var bytes = (0..<Int(rng.next() % 400)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            if round % 3 == 0, !bytes.isEmpty { bytes[0] = UInt8(ascii: "{") }
            XCTAssertEqual(collector.validate(Data(bytes), for: c).failure?.rule, "json_structure", "round \(round)")
        }
    }

    func testEveryTruncationIsRejected() {
        let c = candidate
        for payload in [P.payload(), P.payload(constraints: [P.nothingBinding()])] {
            for length in 0..<payload.count {
                XCTAssertEqual(collector.validate(payload.prefix(length), for: c).failure?.rule, "json_structure", "truncated to \(length) bytes")
            }
        }
    }

    func testRandomMutationsNeverCrashAndAcceptedOnesStillObeyTheRules() throws {
        var rng = SplitMix64(seed: 327)
        let alphabet = Array("{}[]\",:.-+eE0123456789 TtfnulNoneBPC\\Z_x".utf8) + [0x00, 0x0A, 0x80, 0xC3, 0xED, 0xFF]
        let c = candidate
        var accepted = 0
        var rules = Set<String>()
        for seed in [Array(P.payload()), Array(P.payload(constraints: [P.nothingBinding()]))] {
            for _ in 0..<3_000 {
                let bytes = ByteMutation.mutate(seed, alphabet: alphabet, using: &rng)
                let result = collector.validate(Data(bytes), for: c)
                guard case .valid(let report) = result else {
                    rules.insert(result.failure!.rule)
                    continue
                }
                accepted += 1
                let root = try JSONParser.parse(Data(bytes))
                let constraints = try XCTUnwrap(root["Constraint"]?.array)
                XCTAssertFalse(constraints.isEmpty)
                if report.shape == "nothing_binding" {
                    XCTAssertEqual(constraints.count, 1)
                    XCTAssertEqual(report.recordCount, 0)
                    for member in constraints[0].members ?? [] {
                        XCTAssertTrue(["None", "0"].contains(member.value.string ?? "?"), "\(member.key)")
                    }
                    continue
                }
                XCTAssertEqual(report.recordCount, constraints.count)
                let refId = try XCTUnwrap(root["RefId"]?.string)
                XCTAssertTrue(refId.hasPrefix("27-Jul-2026") || refId.hasPrefix("27-jul-2026") || refId.hasPrefix("27-JUL-2026"), refId)
                for constraint in constraints {
                    let period = try XCTUnwrap(constraint["Period"]?.string)
                    XCTAssertTrue(period.hasPrefix("2026-07-27T"), period)
                    XCTAssertEqual(period.count, 19, period)
                    XCTAssertTrue(Double(try XCTUnwrap(constraint["Price"]?.string))?.isFinite == true)
                    for member in constraint.members ?? [] where member.key.count > 2 && (member.key.hasPrefix("BP") || member.key.hasPrefix("PC"))
                        && member.key.dropFirst(2).allSatisfy(\.isASCII) && member.key.dropFirst(2).allSatisfy(\.isNumber) {
                        XCTAssertTrue(Double(member.value.string ?? "x")?.isFinite == true, "\(member.key)")
                    }
                }
            }
        }
        XCTAssertGreaterThan(accepted, 0)
        XCTAssertTrue(rules.isSuperset(of: ["json_structure", "binding_price_numeric", "binding_breakpoint_numeric"]), "\(rules)")
    }
}
