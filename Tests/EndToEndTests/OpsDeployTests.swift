import CollectionFramework
import Foundation
import TestSupport
import XCTest
import Yams

/// The files under deploy/ are checked as far as this machine can: systemd units with
/// `systemd-analyze verify`, schedules with our cron parser, the Kubernetes manifests' shape,
/// the embedded collectors.yaml with the configuration loader, and every command line with the binary.
final class OpsDeployTests: XCTestCase {
    let deploy = TestPaths.packageRoot.appendingPathComponent("deploy")

    private func read(_ relative: String) throws -> String {
        try String(contentsOf: deploy.appendingPathComponent(relative), encoding: .utf8)
    }

    /// The arguments after `scraper` are accepted by the argument parser. They are run for real in an
    /// empty folder, where they stop at the first step after parsing (the configuration file or the
    /// collector is not there): our own `error:` line, never the parser's `Error:` and usage text.
    private func assertArgumentsParse(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let dir = TestPaths.temporaryDirectory("args")
        defer { try? FileManager.default.removeItem(at: dir) }
        var env = ProcessInfo.processInfo.environment
        for key in ["S3_BUCKET", "REDIS_HOST", "REDIS_PORT", "REDIS_PASSWORD", "AWS_PROFILE", "KAFKA_CONNECTION_STRING"] { env[key] = nil }
        let result = try runCommand(TestPaths.product("scraper"), arguments, environment: env, currentDirectory: dir, timeout: 30)
        let shown = "scraper \(arguments.joined(separator: " ")): status \(result.status), stderr \(result.stderr)"
        XCTAssertFalse(result.stderr.contains("Error: "), "the argument parser refused it: \(shown)", file: file, line: line)
        XCTAssertFalse(result.stderr.contains("Usage: "), shown, file: file, line: line)
        // Parsed: the run stopped at a later step, with our own one-line `error: …` and one of our exit codes
        // (64 configuration, 69 backend), not with a crash, a hang or a stray "error:" inside other output.
        XCTAssertTrue([64, 69].contains(result.status), "expected our configuration/backend exit code: \(shown)", file: file, line: line)
        XCTAssertTrue(result.stderr.split(separator: "\n").contains { $0.hasPrefix("error: ") },
                      "expected to stop after parsing with our own error line: \(shown)", file: file, line: line)
    }

    func testSystemdUnitsVerify() throws {
        guard let analyze = TestPaths.which("systemd-analyze") else { throw XCTSkip("systemd-analyze is not installed (Debian package systemd)") }
        let dir = TestPaths.temporaryDirectory("units")
        defer { try? FileManager.default.removeItem(at: dir) }
        let units = ["scraper-miso-cts.service", "scraper-miso-cts.timer", "scraper-serve.service"]
        for unit in units {
            // The binary's installed path does not exist here: point ExecStart at the built one.
            let text = try read("systemd/\(unit)").replacingOccurrences(of: "/usr/local/bin/scraper", with: TestPaths.product("scraper"))
            try Data(text.utf8).write(to: dir.appendingPathComponent(unit))
        }
        let result = try runCommand(analyze, ["verify"] + units.map { dir.appendingPathComponent($0).path }, currentDirectory: dir, timeout: 60)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stderr.split(separator: "\n").filter { $0.contains(dir.path) }, [], "warnings about our units: \(result.stderr)")

        let timer = try read("systemd/scraper-miso-cts.timer")
        XCTAssertTrue(timer.contains("OnCalendar=*:0/15"))
        XCTAssertTrue(timer.contains("Persistent=true"))
        for unit in ["scraper-miso-cts.service", "scraper-serve.service"] {
            let exec = try XCTUnwrap(try read("systemd/\(unit)").split(separator: "\n").first { $0.hasPrefix("ExecStart=/usr/local/bin/scraper ") })
            try assertArgumentsParse(exec.dropFirst("ExecStart=/usr/local/bin/scraper ".count).split(separator: " ").map(String.init))
        }
    }

    func testCrontabLineIsTheSpecsScheduleAndItsCommandParses() throws {
        let line = try XCTUnwrap(try read("cron/crontab").split(separator: "\n").first { $0.hasPrefix("*/15 ") })
        let fields = line.split(separator: " ", maxSplits: 5).map(String.init)
        let schedule = try CronExpression(fields[0..<5].joined(separator: " "), timeZone: TimeZone(identifier: "UTC")!)
        let slot = schedule.next(after: Date(timeIntervalSince1970: 1_737_368_000))   // 2025-01-20 10:13:20Z
        XCTAssertEqual(slot, Date(timeIntervalSince1970: 1_737_368_100))               // 10:15
        let command = fields[5]
        let scraperArgs = try XCTUnwrap(command.components(separatedBy: "/usr/local/bin/scraper ").last?.components(separatedBy: " >>").first)
        try assertArgumentsParse(scraperArgs.split(separator: " ").map(String.init))
    }

    func testTheWorkerDeploymentAndTheBackfillCronJobRunCommandsThatParse() throws {
        let worker = try XCTUnwrap(try Yams.load(yaml: try read("kubernetes/worker-deployment.yaml")) as? [String: Any])
        XCTAssertEqual(worker["kind"] as? String, "Deployment")
        let workerContainer = try container(in: try XCTUnwrap((worker["spec"] as? [String: Any])?["template"] as? [String: Any]))
        let workerArgs = try XCTUnwrap(workerContainer["args"] as? [String])
        XCTAssertEqual(workerArgs.first, "worker")
        try assertArgumentsParse(workerArgs)

        let backfill = try XCTUnwrap(try Yams.load(yaml: try read("kubernetes/backfill-cronjob.yaml")) as? [String: Any])
        XCTAssertEqual(backfill["kind"] as? String, "CronJob")
        let jobSpec = try XCTUnwrap(((backfill["spec"] as? [String: Any])?["jobTemplate"] as? [String: Any])?["spec"] as? [String: Any])
        let enqueue = try container(in: jobSpec)
        XCTAssertEqual(enqueue["command"] as? [String], ["/bin/sh", "-c"])
        let script = try XCTUnwrap((enqueue["args"] as? [String])?.first)
        // The shell's command line, as the container's /bin/sh runs it (GNU date, as in the image).
        let expanded = try runCommand("/bin/sh", ["-c", "echo " + script.replacingOccurrences(of: "exec scraper ", with: "")], timeout: 10)
        let arguments = expanded.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ").map(String.init)
        XCTAssertEqual(arguments.first, "enqueue", expanded.stdout)
        XCTAssertTrue(arguments.contains("--start-date") && arguments.contains("--end-date"), "\(arguments)")
        try assertArgumentsParse(arguments)
    }

    func testKubernetesManifestsCarryScheduleEnvironmentProbesAndScrapeAnnotation() throws {
        let cronJob = try XCTUnwrap(try Yams.load(yaml: try read("kubernetes/cronjob.yaml")) as? [String: Any])
        XCTAssertEqual(cronJob["kind"] as? String, "CronJob")
        let cronSpec = try XCTUnwrap(cronJob["spec"] as? [String: Any])
        XCTAssertEqual(cronSpec["schedule"] as? String, "*/15 * * * *")
        XCTAssertEqual(cronSpec["concurrencyPolicy"] as? String, "Forbid")
        let jobContainer = try container(in: ((cronSpec["jobTemplate"] as? [String: Any])?["spec"] as? [String: Any]) ?? [:])
        try assertEnvironment(jobContainer)
        try assertArgumentsParse(try XCTUnwrap(jobContainer["args"] as? [String]))

        let documents = try Yams.load_all(yaml: try read("kubernetes/deployment.yaml")).compactMap { $0 as? [String: Any] }
        let deployment = try XCTUnwrap(documents.first { $0["kind"] as? String == "Deployment" })
        XCTAssertNil(documents.first { $0["kind"] as? String == "PersistentVolumeClaim" }, "each replica keeps its own state")
        let spec = try XCTUnwrap(deployment["spec"] as? [String: Any])
        XCTAssertEqual(spec["replicas"] as? Int, 3, "replicas share the Redis registry; one runs each slot (ServeClusterTests)")
        XCTAssertEqual((spec["strategy"] as? [String: Any])?["type"] as? String, "RollingUpdate")
        let template = try XCTUnwrap(spec["template"] as? [String: Any])
        let annotations = try XCTUnwrap((template["metadata"] as? [String: Any])?["annotations"] as? [String: Any])
        XCTAssertEqual(annotations["prometheus.io/scrape"] as? String, "true")
        XCTAssertEqual(annotations["prometheus.io/port"] as? String, String(ServeSettings.defaultPort))
        XCTAssertEqual(annotations["prometheus.io/path"] as? String, "/metrics")
        let serve = try container(in: template)
        try assertEnvironment(serve)
        XCTAssertEqual(((serve["livenessProbe"] as? [String: Any])?["httpGet"] as? [String: Any])?["path"] as? String, "/healthz")
        XCTAssertEqual(((serve["readinessProbe"] as? [String: Any])?["httpGet"] as? [String: Any])?["path"] as? String, "/readyz")
        let args = try XCTUnwrap(serve["args"] as? [String])
        XCTAssertEqual(args.first, "serve")
        try assertArgumentsParse(args)

        // The ConfigMap's collectors.yaml is valid once the CTS collector type is registered.
        let configMap = try XCTUnwrap(try Yams.load(yaml: try read("kubernetes/configmap.yaml")) as? [String: Any])
        let yaml = try XCTUnwrap((configMap["data"] as? [String: Any])?["collectors.yaml"] as? String)
        let checked = ScraperConfiguration.check(yaml, file: "configmap collectors.yaml", environment: "prod",
                                                 variables: ["S3_BUCKET": "b", "REDIS_HOST": "redis"], knownTypes: ["miso.cts"])
        XCTAssertEqual(checked.problems, [])
        let configuration = try XCTUnwrap(checked.configuration)
        XCTAssertEqual(configuration.serve.host, "0.0.0.0")
        XCTAssertEqual(configuration.serve.port, ServeSettings.defaultPort)
        XCTAssertEqual(configuration.collectors.first?.schedule, "*/15 * * * *")
        XCTAssertEqual(configuration.settings.registry.port, 6379)
    }

    private func container(in podOwner: [String: Any]) throws -> [String: Any] {
        let template = (podOwner["template"] as? [String: Any]) ?? podOwner
        let containers = try XCTUnwrap((template["spec"] as? [String: Any])?["containers"] as? [[String: Any]])
        return try XCTUnwrap(containers.first)
    }

    private func assertEnvironment(_ container: [String: Any], file: StaticString = #filePath, line: UInt = #line) throws {
        let env = try XCTUnwrap(container["env"] as? [[String: Any]], file: file, line: line)
        let names = Set(env.compactMap { $0["name"] as? String })
        for required in ["S3_BUCKET", "REDIS_HOST", "REDIS_PORT", "REDIS_PASSWORD", "KAFKA_CONNECTION_STRING"] {
            XCTAssertTrue(names.contains(required), "\(required) missing from \(names.sorted())", file: file, line: line)
        }
        let password = try XCTUnwrap(env.first { $0["name"] as? String == "REDIS_PASSWORD" }, file: file, line: line)
        XCTAssertNil(password["value"], "a secret is never written in the manifest", file: file, line: line)
        XCTAssertNotNil(password["valueFrom"], file: file, line: line)
    }
}
