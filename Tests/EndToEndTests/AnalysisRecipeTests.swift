import CollectionFramework
import Foundation
import TestSupport
import XCTest

/// Runs docs/analysis.md's DuckDB queries, exactly as written there, on data collected from the
/// simulator through the built binary, and checks their numbers against the served payloads.
final class AnalysisRecipeTests: XCTestCase {
    /// The SQL block that follows `<!-- recipe: NAME -->` in docs/analysis.md.
    static func recipe(_ name: String) throws -> String {
        let text = try String(contentsOf: TestPaths.packageRoot.appendingPathComponent("docs/analysis.md"), encoding: .utf8)
        let marker = try XCTUnwrap(text.range(of: "<!-- recipe: \(name) -->"), "docs/analysis.md has no recipe \(name)")
        let open = try XCTUnwrap(text.range(of: "```sql\n", range: marker.upperBound..<text.endIndex))
        let close = try XCTUnwrap(text.range(of: "```", range: open.upperBound..<text.endIndex))
        return String(text[open.upperBound..<close.lowerBound])
    }

    /// Per node: (intervals, average total, total volume), from the simulator's own payloads.
    static func expected(_ payloads: [Data]) throws -> [String: (count: Int, avg: Double, mwh: Double)] {
        var sums: [String: (count: Int, total: Double, mwh: Double)] = [:]
        for payload in payloads {
            for record in try JSONParser.parse(payload)["data"]?.array ?? [] {
                let node = record["node"]?.string ?? ""
                var sum = sums[node] ?? (0, 0, 0)
                sum.count += 1
                sum.total += record["forecastedLMP"]?["total"]?.number ?? .nan
                sum.mwh += record["transactionVolume"]?["mwh"]?.number ?? .nan
                sums[node] = sum
            }
        }
        return sums.mapValues { ($0.count, $0.total / Double($0.count), $0.mwh) }
    }

    func testBothRecipesGiveThePerNodeFiguresOfTheCollectedData() throws {
        let sim = try MisoSimulatorProcess(arguments: ["--today", "2025-01-22", "--nodes", "3"])
        let scraper = ScraperInvocation()
        defer { sim.stop(); try? FileManager.default.removeItem(at: scraper.directory) }
        let run = try scraper.run(["run", "miso-cts", "--start-date", "2025-01-20", "--end-date", "2025-01-22",
                                   "--api-url", sim.url(MisoSimulatorProcess.ctsPath), "--rate-limit", "0", "--log-format", "json"])
        XCTAssertEqual(run.count("collected"), 3, run.transcript)
        let exported = try scraper.run(["export", "miso-cts", "--start-date", "2025-01-20", "--end-date", "2025-01-22",
                                        "--output", "cts.csv", "--log-format", "json"])
        XCTAssertEqual(exported.status, 0, exported.transcript)

        let payloads = try ["2025-01-20", "2025-01-21", "2025-01-22"].map {
            try sim.get(MisoSimulatorProcess.ctsPath, query: [("date", $0)]).body
        }
        let expected = try Self.expected(payloads)
        XCTAssertEqual(expected.count, 3)

        // The doc's query runs unchanged, in the directory the doc assumes (cts.csv and data/ side by side).
        let script = """
        import duckdb, json, os, sys
        os.chdir(sys.argv[1])
        rows = duckdb.connect().sql(sys.argv[2]).fetchall()
        print(json.dumps([[r[0], r[1], float(r[2]), float(r[3])] for r in rows]))
        """
        for name in ["export-by-node", "raw-by-node"] {
            let query = try Self.recipe(name)
            let result = try PythonScript.run(script, [scraper.directory.path, query])
            XCTAssertEqual(result.status, 0, "\(name): \(result.stderr)")
            guard case .array(let rows) = try JSONValue.parse(Data(result.stdout.utf8)) else { return XCTFail(result.stdout) }
            XCTAssertEqual(rows.count, 3, "\(name): one row per node: \(result.stdout)")
            for row in rows {
                guard case .array(let cells) = row, case .string(let node)? = cells.first,
                      let figures = expected[node] else { return XCTFail("\(name): unexpected row \(row)") }
                XCTAssertEqual(cells[1], .int(figures.count), "\(name) \(node) intervals")
                XCTAssertEqual(Self.number(cells[2]), figures.avg, accuracy: 0.0051, "\(name) \(node) avg_lmp")
                XCTAssertEqual(Self.number(cells[3]), figures.mwh, accuracy: 0.051, "\(name) \(node) total_mwh")
            }
        }
    }

    private static func number(_ value: JSONValue) -> Double {
        switch value {
        case .double(let d): return d
        case .int(let i): return Double(i)
        default: return .nan
        }
    }
}
