import Foundation
import TestSupport
import XCTest

/// `scraper config check` through the built binary: every problem with its position, the effective
/// configuration with secrets masked, and the exit codes.
final class OpsConfigCheckTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = TestPaths.temporaryDirectory("ops-config")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: dir)
    }

    private func check(_ yaml: String, _ arguments: [String] = [], environment: [String: String] = [:]) throws -> CommandResult {
        try Data(yaml.utf8).write(to: dir.appendingPathComponent("collectors.yaml"))
        var env = ProcessInfo.processInfo.environment
        for key in ["S3_BUCKET", "REDIS_HOST", "REDIS_PORT", "REDIS_PASSWORD", "AWS_PROFILE", "KAFKA_CONNECTION_STRING"] { env[key] = nil }
        env.merge(environment) { $1 }
        return try runCommand(TestPaths.product("scraper"), ["config", "check"] + arguments, environment: env, currentDirectory: dir, timeout: 60)
    }

    func testReportsEveryProblemWithFileLineAndColumnInDocumentOrder() throws {
        let result = try check("""
        defaults:
          storage: {type: local, buckt: x}
          registry: {type: embedded, port: "abc"}
        serve:
          port: 99999
          host: localhost
        collectors:
          miso-cts:
            type: miso.cts_v9
            schedule: "*/15 * * *"
            api_url: ftp://example
          other:
            enabled: maybe
        environments:
          prod:
            registry: {password: "${REDIS_PASSWORD}"}
        """, ["--environment", "prod"])
        XCTAssertEqual(result.status, 64, result.stderr)
        XCTAssertEqual(result.stdout, "", "no effective configuration is printed for a broken file")
        let lines = result.stderr.split(separator: "\n").map(String.init)
        let expected = [
            "error: collectors.yaml:2:26: unknown key 'buckt' in defaults.storage (did you mean 'bucket'?)",
            "error: collectors.yaml:3:36: defaults.registry.port must be a whole number, not \"abc\"",
            "error: collectors.yaml:5:9: serve.port must be between 0 and 65535, not 99999",
            "error: collectors.yaml:6:9: serve.host must be a dotted IPv4 address",
            "error: collectors.yaml:9:11: collectors.miso-cts.type \"miso.cts_v9\" is not a registered collector type",
            "error: collectors.yaml:10:15: collectors.miso-cts.schedule: cron expression \"*/15 * * *\": has 4 fields",
            "error: collectors.yaml:11:14: collectors.miso-cts.api_url must start with http:// or https://",
            "error: collectors.yaml:13:5: collectors.other needs a type",
            "error: collectors.yaml:13:14: collectors.other.enabled must be true or false, not \"maybe\"",
            "error: collectors.yaml:16:26: environments.prod.registry.password: environment variable REDIS_PASSWORD is not set",
            "error: 10 problems in collectors.yaml for environment prod",
        ]
        XCTAssertEqual(lines.count, expected.count, result.stderr)
        for (line, prefix) in zip(lines, expected) {
            XCTAssertTrue(line.hasPrefix(prefix), "expected \(prefix)\n     got \(line)")
        }

        // Another environment's variables need not be set: the same file for dev has one problem fewer.
        let dev = try check(try String(contentsOf: dir.appendingPathComponent("collectors.yaml"), encoding: .utf8))
        XCTAssertEqual(dev.status, 64)
        XCTAssertTrue(dev.stderr.contains("error: 9 problems in collectors.yaml for environment dev"), dev.stderr)
        XCTAssertFalse(dev.stderr.contains("REDIS_PASSWORD"), dev.stderr)
    }

    func testAValidFilePrintsTheEffectiveConfigurationWithSecretsMasked() throws {
        let marker = "s3cr3t-\(UUID().uuidString)"
        let result = try check("""
        serve: {port: 9500, jitter_seconds: 2}
        environments:
          prod:
            registry: {type: embedded, path: ./state/registry.sqlite3, password: "${REDIS_PASSWORD}"}
            notifications: {type: kafka, connection_string: "kafka://user:${REDIS_PASSWORD}@127.0.0.1:9092", topic: t}
        collectors: {}
        """, ["--environment", "prod"], environment: ["REDIS_PASSWORD": marker])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertFalse((result.stdout + result.stderr).contains(marker), "a secret leaked: \(result.stdout)")
        XCTAssertTrue(result.stdout.contains("  password: ***"), result.stdout)
        XCTAssertTrue(result.stdout.contains("serve:\n  host: 127.0.0.1\n  port: 9500\n  jitter_seconds: 2.0\n  state_path: ./state/serve-state.prod.json"), result.stdout)
        XCTAssertTrue(result.stdout.hasSuffix("ok: collectors.yaml is valid for environment prod\n"), result.stdout)
    }

    func testAYAMLSyntaxErrorIsOneProblemWithItsPosition() throws {
        let result = try check("defaults:\n  storage: {type: local\ncollectors: {}\n")
        XCTAssertEqual(result.status, 64)
        XCTAssertTrue(result.stderr.contains("error: collectors.yaml:"), result.stderr)
        XCTAssertTrue(result.stderr.contains("YAML syntax error"), result.stderr)
        XCTAssertTrue(result.stderr.contains("error: 1 problem in collectors.yaml for environment dev"), result.stderr)
    }

    func testWithoutAFileTheBuiltInDefaultsAreValid() throws {
        let result = try runCommand(TestPaths.product("scraper"), ["config", "check"], currentDirectory: dir, timeout: 60)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("ok: built-in defaults is valid for environment dev"), result.stdout)
        XCTAssertTrue(result.stdout.contains("state_path: ./data/serve-state.dev.json"), result.stdout)
    }
}
