import CollectionFramework
import Collectors
import Foundation
import TestSupport
import XCTest

/// Fuzzing the CTS validator where the robustness tests leave gaps: payloads assembled from pools
/// of labelled good and bad field values (accepted exactly when every value is good, refused with
/// the rule of one of the bad ones), huge arrays, deep nesting anywhere, invalid UTF-8 inside
/// strings and duplicate keys at random places. Never a crash; never a rule-breaking acceptance.
final class MisoCTSFuzzTests: XCTestCase {
    private let collector = try! MisoCTSCollector(configuration: CollectorConfiguration(name: "miso-cts"))
    private lazy var snapshot = try! collector.candidates(for: CollectionRequest(mode: .snapshot))[0]
    private lazy var day = try! collector.candidates(for: CollectionRequest(mode: .day(CalendarDate(year: 2025, month: 1, day: 20)!)))[0]
    private typealias P = CTSPayloads

    /// A value and the rule it breaks (nil = good).
    private typealias Labelled = (value: JSONValue?, rule: String?)

    private let refIds: [Labelled] = [
        (.string("27-Jul-2026 - Interval 08:00 EST"), nil), (.string("7-Jan-2026 - Interval 23:55 EST"), nil),
        (.string("27-Jul-2026 - Interval 8:00 EST"), "live_refid"), (.string("31-Feb-2026 - Interval 08:00 EST"), "live_refid"),
        (.string("27-Jul-2026 - Interval 08:00 EDT"), "live_refid"), (.int(1), "live_refid"), (nil, "live_refid"),
        (.string("27-Jul-2026 - Interval 24:00 EST"), "live_refid"), (.string(""), "live_refid"),
    ]
    private let times: [Labelled] = [
        (.string("2026-07-27 8:00:00 AM"), nil), (.string("2026-07-27 12:55:00 PM"), nil), (.string("2026-07-27 11:05:00 PM"), nil),
        (.string("2026-07-27 13:00:00 PM"), "live_time_format"), (.string("2026-07-27 0:00:00 AM"), "live_time_format"),
        (.string("2026-07-27T08:00:00"), "live_time_format"), (.string("2026-02-29 8:00:00 AM"), "live_time_format"),
        (.double(.nan), "live_time_format"), (.null, "live_time_format"), (.array([]), "live_time_format"),
        (.string("2026-07-27 8:00:00 am"), "live_time_format"), (.string("2026-07-27  8:00:00 AM"), "live_time_format"),
    ]
    private let offGrid: [Labelled] = [(.string("2026-07-27 8:03:00 AM"), "live_interval_grid"), (.string("2026-07-27 8:05:01 AM"), "live_interval_grid")]
    private let prices: [Labelled] = [
        (.string("45.73"), nil), (.string("-1.91"), nil), (.string("0"), nil), (.string("1e3"), nil), (.string("-0.0"), nil),
        (.string("NaN"), "live_price_numeric"), (.string("Infinity"), "live_price_numeric"), (.string("-Infinity"), "live_price_numeric"),
        (.string("1e309"), "live_price_numeric"), (.string("-1e309"), "live_price_numeric"), (.string("inf"), "live_price_numeric"),
        (.string("0x1p3"), "live_price_numeric"), (.string("45.73 "), "live_price_numeric"), (.string("+45"), "live_price_numeric"),
        (.string("1,000"), "live_price_numeric"), (.string("4.5.6"), "live_price_numeric"), (.string("٤٥"), "live_price_numeric"),
        (.string("45."), "live_price_numeric"), (.string("45.73\u{0}"), "live_price_numeric"), (.double(45.73), "live_price_numeric"),
        (.string(""), "live_price_numeric"), (.null, "live_price_numeric"), (.bool(true), "live_price_numeric"),
    ]

    private func pick<G: RandomNumberGenerator>(_ pool: [Labelled], _ rng: inout G, goodBias: Bool) -> Labelled {
        let good = pool.filter { $0.rule == nil }
        if goodBias, !good.isEmpty, Int.random(in: 0..<10, using: &rng) < 8 { return good.randomElement(using: &rng)! }
        return pool.randomElement(using: &rng)!
    }

    func testLivePayloadsFromLabelledPoolsAreAcceptedExactlyWhenEveryValueIsGood() {
        var rng = SplitMix64(seed: 4242)
        var accepted = 0
        for round in 0..<4_000 {
            var rules: Set<String> = []
            let ref = pick(refIds, &rng, goodBias: true)
            if let rule = ref.rule { rules.insert(rule) }
            var entries: [JSONValue] = []
            for _ in 0..<Int.random(in: 0...4, using: &rng) {
                let approval = pick(times, &rng, goodBias: true)
                var solution = pick(times, &rng, goodBias: true)
                if Int.random(in: 0..<20, using: &rng) == 0 { solution = offGrid.randomElement(using: &rng)! }
                let price = pick(prices, &rng, goodBias: true)
                for rule in [approval.rule, solution.rule, price.rule].compactMap({ $0 }) { rules.insert(rule) }
                entries.append(P.liveEntry(approval: approval.value, solution: solution.value, price: price.value))
            }
            if entries.isEmpty { rules.insert("live_non_empty") }
            let payload = P.live(refId: ref.value, entries: entries)
            let result = collector.validate(payload, for: snapshot)
            if rules.isEmpty {
                XCTAssertNil(result.failure, "round \(round): a payload of good values was refused: \(String(decoding: payload, as: UTF8.self))")
                accepted += 1
            } else {
                // The refId is checked first, then the array, then entries in order: the reported rule is one we planted.
                XCTAssertTrue(result.failure.map { rules.contains($0.rule) } ?? false,
                              "round \(round): expected one of \(rules.sorted()), got \(result.failure?.rule ?? "valid"): \(String(decoding: payload, as: UTF8.self))")
            }
        }
        XCTAssertGreaterThan(accepted, 100, "the generator makes valid payloads too")
    }

    func testHugeArraysAreJudgedWholeAndABadRecordAnywhereIsFound() {
        var rng = SplitMix64(seed: 9)
        let good = String(decoding: P.data(P.liveEntry()), as: UTF8.self)
        let bad = String(decoding: P.data(P.liveEntry(price: .string("NaN"))), as: UTF8.self)
        let count = 100_000
        for _ in 0..<3 {
            let at = Int.random(in: 0..<count, using: &rng)
            var items = Array(repeating: good, count: count)
            items[at] = bad
            let payload = Data(#"{"RefId": "27-Jul-2026 - Interval 08:00 EST", "Interval": [\#(items.joined(separator: ","))]}"#.utf8)
            let failure = collector.validate(payload, for: snapshot).failure
            XCTAssertEqual(failure?.rule, "live_price_numeric")
            XCTAssertEqual(failure?.recordIndex, at)
        }
        let valid = Data(#"{"RefId": "27-Jul-2026 - Interval 08:00 EST", "Interval": [\#(Array(repeating: good, count: count).joined(separator: ","))]}"#.utf8)
        XCTAssertNil(collector.validate(valid, for: snapshot).failure)
        // A million numbers where records belong, in both shapes.
        let numbers = "[" + Array(repeating: "0", count: 1_000_000).joined(separator: ",") + "]"
        XCTAssertEqual(collector.validate(Data(#"{"RefId": "27-Jul-2026 - Interval 08:00 EST", "Interval": \#(numbers)}"#.utf8), for: snapshot).failure?.rule, "json_structure")
        XCTAssertNotNil(collector.validate(Data(#"{"data": \#(numbers), "metadata": {"operatingDay": "2025-01-20", "dataQuality": "FORECAST"}}"#.utf8), for: day).failure)
    }

    /// Wraps the value after the `n`-th ':' outside strings of `text` in `depth` arrays; nil when there are fewer.
    private func nest(_ text: String, afterColon n: Int, depth: Int) -> String? {
        var seen = 0
        var out = ""
        var inString = false
        var escaped = false
        var closeAt: String.Index?
        for index in text.indices {
            let c = text[index]
            out.append(c)
            if inString {
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
                continue
            }
            if c == "\"" { inString = true }
            if c == ":" {
                seen += 1
                if seen == n { out += String(repeating: "[", count: depth); closeAt = index }
            }
            if closeAt != nil, closeAt != index, c == "," || c == "}" {
                out.removeLast()
                out += String(repeating: "]", count: depth) + String(c)
                closeAt = nil
            }
        }
        return seen >= n ? out : nil
    }

    func testDeepNestingAtEveryPositionIsRefusedWithoutCrashing() {
        for payload in [P.documented(), P.live()] {
            let text = String(decoding: payload, as: UTF8.self)
            let colons = text.filter { $0 == ":" }.count
            var positions = 0
            for n in 1...colons {
                for depth in [600, 20_000] {
                    guard let nestedText = nest(text, afterColon: n, depth: depth) else { continue }
                    positions += 1
                    let nested = Data(nestedText.utf8)
                    let failure = collector.validate(nested, for: day).failure
                    XCTAssertEqual(failure?.rule, "json_structure", "depth \(depth) after colon \(n)")
                    XCTAssertTrue(failure?.reason.contains("nested deeper") == true, failure?.reason ?? "accepted")
                }
            }
            XCTAssertGreaterThan(positions, 10)
        }
        let bare = Data((String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)).utf8)
        XCTAssertEqual(collector.validate(bare, for: day).failure?.rule, "json_structure")
        let objects = Data((String(repeating: #"{"a":"#, count: 100_000) + "1" + String(repeating: "}", count: 100_000)).utf8)
        XCTAssertEqual(collector.validate(objects, for: day).failure?.rule, "json_structure")
    }

    func testInvalidUTF8InsideAnyStringAndDuplicateKeysAnywhereAreRefused() {
        var rng = SplitMix64(seed: 31337)
        let badSequences: [[UInt8]] = [[0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x80], [0xF8, 0x88, 0x80, 0x80, 0x80]]
        for payload in [P.documented(), P.live()] {
            let bytes = Array(payload)
            // Positions just after an opening quote: inside a key or a string value.
            // (The fixtures have no escaped quotes, so quotes alternate open, close: keep the even ones.)
            let quotes = bytes.indices.filter { bytes[$0] == UInt8(ascii: "\"") }.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
            for _ in 0..<500 {
                let at = quotes.randomElement(using: &rng)! + 1
                var mutated = bytes
                mutated.insert(contentsOf: badSequences.randomElement(using: &rng)!, at: at)
                let failure = collector.validate(Data(mutated), for: day).failure
                XCTAssertEqual(failure?.rule, "json_structure", String(decoding: mutated, as: UTF8.self))
                XCTAssertTrue(failure?.reason.contains("UTF-8") == true, failure?.reason ?? "accepted")
            }
            // Each key of the document repeated in its own object (before itself).
            let text = String(decoding: payload, as: UTF8.self)
            let keyPattern = try! NSRegularExpression(pattern: #""([A-Za-z_]+)": "#)
            let matches = keyPattern.matches(in: text, range: NSRange(text.startIndex..., in: text))
            for match in matches {
                let range = Range(match.range, in: text)!
                let key = String(text[Range(match.range(at: 1), in: text)!])
                let duplicated = text.replacingCharacters(in: range, with: "\"\(key)\": null, \"\(key)\": ")
                let failure = collector.validate(Data(duplicated.utf8), for: day).failure
                XCTAssertEqual(failure?.rule, "json_structure", key)
                XCTAssertTrue(failure?.reason.contains("duplicate key \"\(key)\"") == true, failure?.reason ?? "accepted")
            }
        }
    }

    func testNonFiniteAndOverflowingNumbersAreRefusedWhereverTheyStand() {
        let base = String(decoding: P.documented(), as: UTF8.self)
        let numberPattern = try! NSRegularExpression(pattern: #"(?<=: )-?[0-9]+(\.[0-9]+)?(?=[,}])"#)
        let matches = numberPattern.matches(in: base, range: NSRange(base.startIndex..., in: base))
        XCTAssertGreaterThan(matches.count, 5)
        for match in matches {
            for replacement in ["NaN", "-NaN", "Infinity", "-Infinity", "1e309", "-1e309", "1E400", "123456789e999", "nan", "inf"] {
                let mutated = base.replacingCharacters(in: Range(match.range, in: base)!, with: replacement)
                let failure = collector.validate(Data(mutated.utf8), for: day).failure
                XCTAssertEqual(failure?.rule, "json_structure", "\(replacement) at \(match.range)")
            }
        }
    }
}
