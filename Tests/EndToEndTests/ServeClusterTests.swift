import Foundation
import TestSupport
import XCTest

/// Three `scraper serve` replicas share one configuration and one Redis: each schedule slot is run by
/// exactly one of them (`SET NX` on the slot), and the others say so. Slots come every real second
/// (`--time-scale 60` with `* * * * *`).
final class ServeClusterTests: XCTestCase {
    func testEachSlotIsRunByExactlyOneOfThreeReplicas() throws {
        let sim = try MisoSimulatorProcess()
        let redis = try RedisServer()
        defer { sim.stop(); redis.stop() }
        let dir = TestPaths.temporaryDirectory("cluster")
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("collectors.yaml")
        try Data("""
        defaults:
          storage: {type: local, path: \(dir.path)/data}
          registry: {type: redis, host: 127.0.0.1, port: \(redis.port), allow_mixed_sharing: true}
        collectors:
          miso-cts:
            type: miso.cts
            schedule: "* * * * *"
            api_url: \(sim.url(MisoSimulatorProcess.ctsPath))
        """.utf8).write(to: config)
        let replicas = try (0..<3).map { n in
            try ServeProcess(["--config", config.path, "--time-scale", "60", "--jitter-seconds", "0", "--log-format", "json",
                              "--state-file", dir.appendingPathComponent("state-\(n).json").path], directory: dir)
        }
        defer { replicas.forEach { $0.child.stop() } }
        // About eight slots, with every replica awake for all of them.
        Thread.sleep(forTimeInterval: 9)
        for replica in replicas { replica.child.send(SIGTERM) }
        for replica in replicas { XCTAssertEqual(replica.child.wait(timeout: 60), 0, replica.child.stderr) }

        let logs = replicas.map { ScraperLogLine.parse($0.child.stderr) }
        let runs = logs.map { $0.filter { $0.message.hasPrefix("run started") }.count }
        let yielded = logs.map { $0.filter { $0.message.hasSuffix("is being run by another replica") }.count }
        let slots = try redisKeys(port: redis.port, pattern: "schedule:dev:miso-cts:*")
        XCTAssertGreaterThanOrEqual(slots.count, 4, "several slots passed: \(slots)")
        XCTAssertEqual(runs.reduce(0, +), slots.count, "one run per slot across the replicas: runs \(runs), slots \(slots.count)")
        XCTAssertGreaterThanOrEqual(yielded.reduce(0, +), slots.count, "the other replicas stood aside: \(yielded)")
        XCTAssertEqual(try sim.stats().requests, slots.count, "one request per slot")
    }

    private func redisKeys(port: Int, pattern: String) throws -> [String] {
        let out = try PythonScript.output("""
        import json, sys, redis
        r = redis.Redis(host="127.0.0.1", port=int(sys.argv[1]), decode_responses=True)
        print(json.dumps(sorted(r.scan_iter(match=sys.argv[2]))))
        """, [String(port), pattern])
        return try JSONDecoder().decode([String].self, from: Data(out.utf8))
    }
}
