import Foundation
import TestSupport
import XCTest

/// `deploy/cron/crontab` works as written: its exact command line runs under `/bin/sh` with the
/// documented environment file (`deploy/scraper.env.example`, its values pointed at local servers)
/// and the shipped `collectors.yaml`, against the simulator, moto and redis-server, and exits 0.
/// Only installed paths are mapped to the test's folders; no argument is added or removed.
final class CronDeploymentTests: XCTestCase {
    func testTheCrontabCommandRunsAsWrittenWithTheDocumentedEnvironmentFileAndNoKafka() throws {
        let root = TestPaths.packageRoot
        let crontab = try String(contentsOf: root.appendingPathComponent("deploy/cron/crontab"), encoding: .utf8)
        let line = try XCTUnwrap(crontab.split(separator: "\n").first { $0.hasPrefix("*/15 ") })
        let command = String(line.split(separator: " ", maxSplits: 5)[5])
        XCTAssertFalse(command.contains("KAFKA"), "Kafka is optional in prod: \(command)")

        let sim = try MisoSimulatorProcess()
        let moto = try MotoServer()
        let redis = try RedisServer()
        defer { sim.stop(); moto.stop(); redis.stop() }
        try moto.createBucket("cron-bucket")

        let dir = TestPaths.temporaryDirectory("cron")
        defer { try? FileManager.default.removeItem(at: dir) }
        let etc = dir.appendingPathComponent("etc"), opt = dir.appendingPathComponent("opt"), log = dir.appendingPathComponent("log")
        let metrics = dir.appendingPathComponent("textfile_collector")
        for folder in [etc, opt, log, metrics] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }

        // The documented environment file, with its values pointed at the local servers (and the
        // keys moto wants), every documented variable kept.
        var envFile = try String(contentsOf: root.appendingPathComponent("deploy/scraper.env.example"), encoding: .utf8)
        let documented = ["S3_BUCKET=prod-bucket", "REDIS_HOST=redis.internal", "REDIS_PORT=6379"]
        for entry in documented { XCTAssertTrue(envFile.contains(entry + "\n"), "scraper.env.example documents \(entry)") }
        envFile = envFile.replacingOccurrences(of: "S3_BUCKET=prod-bucket", with: "S3_BUCKET=cron-bucket")
            .replacingOccurrences(of: "REDIS_HOST=redis.internal", with: "REDIS_HOST=127.0.0.1")
            .replacingOccurrences(of: "REDIS_PORT=6379", with: "REDIS_PORT=\(redis.port)")
        envFile += "AWS_ENDPOINT_URL=\(moto.endpoint)\nAWS_ACCESS_KEY_ID=\(MotoServer.setupAccessKeyID)\nAWS_SECRET_ACCESS_KEY=\(MotoServer.setupSecretAccessKey)\n"
        try Data(envFile.utf8).write(to: etc.appendingPathComponent("scraper.env"))

        // The repository's collectors.yaml, with MISO's address pointed at the simulator.
        let config = try String(contentsOf: root.appendingPathComponent("collectors.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "https://public-api.misoenergy.org", with: sim.url(""))
        try Data(config.utf8).write(to: etc.appendingPathComponent("collectors.yaml"))

        let mapped = command
            .replacingOccurrences(of: "/etc/scraper/", with: etc.path + "/")
            .replacingOccurrences(of: "/opt/scraper", with: opt.path)
            .replacingOccurrences(of: "/usr/local/bin/scraper", with: TestPaths.product("scraper"))
            .replacingOccurrences(of: "/var/lib/node_exporter/textfile_collector", with: metrics.path)
            .replacingOccurrences(of: "/var/log/scraper", with: log.path)
        // cron's environment: a minimal PATH and HOME, nothing of ours.
        let result = try runCommand("/bin/sh", ["-c", mapped], environment: ["PATH": "/usr/bin:/bin", "HOME": dir.path],
                                    currentDirectory: dir, timeout: 120)
        let logText = (try? String(contentsOf: log.appendingPathComponent("miso-cts.log"), encoding: .utf8)) ?? ""
        XCTAssertEqual(result.status, 0, "\(mapped)\n\(result.stderr)\n\(logText)")

        let summaryLine = try XCTUnwrap(logText.split(separator: "\n").last { $0.hasPrefix("{\"total_candidates\"") }, logText)
        XCTAssertTrue(summaryLine.contains("\"collected\": 1"), String(summaryLine))
        XCTAssertEqual(try moto.listKeys("cron-bucket").count, 1, "one snapshot stored in the bucket")
        XCTAssertTrue(FileManager.default.fileExists(atPath: metrics.appendingPathComponent("scraper_miso_cts.prom").path))
        XCTAssertFalse(logText.contains(MotoServer.setupSecretAccessKey), "no secret in the log")
    }
}
