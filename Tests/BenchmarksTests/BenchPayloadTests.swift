import Benchmarks
import CollectionFramework
import XCTest

/// The benchmark's payload generator: deterministic, valid documented-shape JSON of the asked size.
final class BenchPayloadTests: XCTestCase {
    func testSameArgumentsGiveTheSameBytesAndTheSeedChangesThem() {
        let a = BenchmarkPayload.documentedCTS(nodes: 4, intervals: 6, seed: 7)
        XCTAssertEqual(a, BenchmarkPayload.documentedCTS(nodes: 4, intervals: 6, seed: 7))
        XCTAssertNotEqual(a, BenchmarkPayload.documentedCTS(nodes: 4, intervals: 6, seed: 8))
        XCTAssertNotEqual(a, BenchmarkPayload.documentedCTS(nodes: 4, intervals: 6, seed: 7, day: "2025-01-21"))
    }

    func testRecordsHaveTheDocumentedShapeAndConsistentArithmetic() throws {
        let nodes = 5, intervals = 13
        let root = try JSONParser.parse(BenchmarkPayload.documentedCTS(nodes: nodes, intervals: intervals, day: "2025-02-03"))
        XCTAssertEqual(root.keys, ["data", "metadata"])
        XCTAssertEqual(root["metadata"]?["operatingDay"]?.string, "2025-02-03")
        XCTAssertEqual(root["metadata"]?["dataQuality"]?.string, "VALIDATED")
        let records = try XCTUnwrap(root["data"]?.array)
        XCTAssertEqual(records.count, nodes * intervals)
        var directions = Set<String>()
        for (index, record) in records.enumerated() {
            XCTAssertEqual(record.keys, ["timestamp", "interval", "node", "forecastedLMP", "transactionVolume"])
            let interval = try XCTUnwrap(record["interval"]?.string)
            XCTAssertEqual(interval, String(format: "%02d:%02d", (index / nodes) * 5 / 60, (index / nodes) * 5 % 60))
            XCTAssertEqual(record["timestamp"]?.string, "2025-02-03T\(interval):00-05:00")
            XCTAssertEqual(record["node"]?.string, "MISO.PJM.INTERFACE\(index % nodes + 1)")
            let lmp = try XCTUnwrap(record["forecastedLMP"])
            let parts = ["energy", "congestion", "losses"].compactMap { lmp["components"]?[$0]?.number }
            XCTAssertEqual(parts.count, 3)
            XCTAssertEqual(try XCTUnwrap(lmp["total"]?.number), parts.reduce(0, +), accuracy: 0.005)
            XCTAssertGreaterThanOrEqual(try XCTUnwrap(record["transactionVolume"]?["mwh"]?.number), 0)
            directions.insert(try XCTUnwrap(lmp["direction"]?.string))
        }
        XCTAssertTrue(directions.isSubset(of: ["export", "import", "neutral"]))
        XCTAssertGreaterThan(directions.count, 1, "the generator varies its numbers")
    }

    func testThreeHundredNodesByAFullDayIsAboutTwentyFiveMegabytes() {
        // A tenth of the nodes, scaled up: the record size does not depend on the node count beyond its digits.
        let tenth = BenchmarkPayload.documentedCTS(nodes: 30, intervals: 288).count
        XCTAssertGreaterThan(tenth * 10, 20_000_000)
        XCTAssertLessThan(tenth * 10, 30_000_000)
    }
}
