import CollectionFramework
import Foundation
import TestSupport
import XCTest

/// `scraper run --param` through the built binary against the simulator: it is what CTS's
/// `--interval`/`--node` aliases stand for, and anything the collector does not declare or accept
/// stops the run with exit 64 before any request.
final class ParameterEndToEndTests: XCTestCase {
    var sim: MisoSimulatorProcess!
    let group = "miso_coordinated_transaction_scheduling"

    override func setUpWithError() throws {
        sim = try MisoSimulatorProcess(arguments: ["--today", "2025-01-20", "--nodes", "3"])
    }

    override func tearDown() {
        sim?.stop()
    }

    private func run(_ scraper: ScraperInvocation, _ extra: [String]) throws -> ScraperResult {
        try scraper.run(["run", "miso-cts", "--api-url", sim.url(MisoSimulatorProcess.ctsPath), "--rate-limit", "0",
                         "--log-format", "json", "--date", "2025-01-20"] + extra)
    }

    func testParamIntervalIsTheSameAsTheIntervalAlias() async throws {
        let byAlias = ScraperInvocation(), byParam = ScraperInvocation()
        let aliased = try run(byAlias, ["--interval", "14:35", "--node", "MISO.PJM.INTERFACE1"])
        XCTAssertEqual(aliased.status, 0, aliased.transcript)
        XCTAssertEqual(aliased.count("collected"), 1, aliased.transcript)
        let param = try run(byParam, ["--param", "interval=14:35", "--param", "node=MISO.PJM.INTERFACE1"])
        XCTAssertEqual(param.status, 0, param.transcript)
        XCTAssertEqual(param.count("collected"), 1, param.transcript)

        let key = "sourcing/\(group)/year=2025/month=01/day=20/cts_20250120_int1435_MISO_PJM_INTERFACE1.json.gz"
        XCTAssertEqual(byAlias.store.keys(under: "sourcing/\(group)"), [key])
        XCTAssertEqual(byParam.store.keys(under: "sourcing/\(group)"), [key])
        let a = try await XCTUnwrapAsync(await byAlias.store.get(key: key))
        let p = try await XCTUnwrapAsync(await byParam.store.get(key: key))
        XCTAssertEqual(try Gzip.decompress(a), try Gzip.decompress(p), "both sent the same query and stored the same bytes")
        let served = try sim.get(MisoSimulatorProcess.ctsPath, query: [("date", "2025-01-20"), ("interval", "14:35"), ("node", "MISO.PJM.INTERFACE1")]).body
        XCTAssertEqual(try Gzip.decompress(p), served)

        // Mixed: the alias and --param of the same value is one request for that parameter, the
        // same content again, so it is a duplicate.
        let mixed = try run(byParam, ["--interval", "14:35", "--param", "node=MISO.PJM.INTERFACE1"])
        XCTAssertEqual(mixed.status, 0, mixed.transcript)
        XCTAssertEqual(mixed.count("skipped_duplicate"), 1, mixed.transcript)
    }

    func testAnUnknownOrRefusedParamExits64BeforeAnyRequest() async throws {
        let scraper = ScraperInvocation()
        let unknown = try run(scraper, ["--param", "nope=1"])
        XCTAssertEqual(unknown.status, 64, unknown.transcript)
        XCTAssertTrue(unknown.stderr.contains(#"unknown filter "nope" for miso.cts (did you mean "node"?): accepted filters are interval, node"#),
                      unknown.stderr)
        let badValue = try run(scraper, ["--param", "interval=14:37"])
        XCTAssertEqual(badValue.status, 64, badValue.transcript)
        XCTAssertTrue(badValue.stderr.contains(#"invalid interval "14:37" for miso.cts: expected HH:MM"#), badValue.stderr)
        let conflict = try run(scraper, ["--interval", "14:35", "--param", "interval=14:40"])
        XCTAssertEqual(conflict.status, 64, conflict.transcript)
        XCTAssertTrue(conflict.stderr.contains("interval is given twice (--interval 14:35 and --param interval=14:40); give it once"), conflict.stderr)
        let malformed = try run(scraper, ["--param", "interval"])
        XCTAssertEqual(malformed.status, 64, malformed.transcript)
        let snapshotOnly = try scraper.run(["run", "miso-exante-lmp", "--api-url", sim.url(MisoSimulatorProcess.exAntePath),
                                            "--rate-limit", "0", "--param", "interval=14:35"])
        XCTAssertEqual(snapshotOnly.status, 64, snapshotOnly.transcript)
        XCTAssertTrue(snapshotOnly.stderr.contains(#"unknown filter "interval" for miso.exante_lmp: it accepts no filters"#), snapshotOnly.stderr)
        XCTAssertEqual(try sim.stats().requests, 0, "nothing was fetched")
        XCTAssertTrue(scraper.store.keys(under: "sourcing").isEmpty)
    }

    func testBadYAMLParametersAreRefusedByRunAndReportedWithTheirPositionByConfigCheck() async throws {
        let scraper = ScraperInvocation()
        try scraper.writeConfig("""
        collectors:
          miso-cts:
            type: miso.cts
            parameters:
              interval: "14:37"
              nodes: X
        """)
        let check = try scraper.run(["config", "check"])
        XCTAssertEqual(check.status, 64, check.transcript)
        let lines = check.stderr.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines, [
            #"error: collectors.yaml:5:17: collectors.miso-cts.parameters.interval: invalid interval "14:37" for miso.cts: expected HH:MM with hour 00-23 and minutes on the 5-minute grid (00, 05, ..., 55), e.g. 14:35"#,
            "error: collectors.yaml:6:7: unknown key 'nodes' in collectors.miso-cts.parameters (did you mean 'node'?); miso.cts accepts only: interval, node",
            "error: 2 problems in collectors.yaml for environment dev",
        ], check.stderr)
        let run = try self.run(scraper, [])
        XCTAssertEqual(run.status, 64, run.transcript)
        XCTAssertTrue(run.stderr.contains(#"collector miso-cts: invalid interval "14:37" for miso.cts"#), run.stderr)
        XCTAssertEqual(try sim.stats().requests, 0)
    }

    func testListShowsEachParameterWithItsKindAndHelp() async throws {
        let result = try ScraperInvocation().run(["list"])
        XCTAssertEqual(result.status, 0, result.transcript)
        XCTAssertTrue(result.stdout.contains("    --param interval=HH:MM on the 5-minute grid: 5-minute market interval"), result.stdout)
        XCTAssertTrue(result.stdout.contains("    --param node=text (up to 200 characters): MISO-PJM interface node"), result.stdout)
    }
}
