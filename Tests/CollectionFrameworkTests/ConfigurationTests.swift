import CollectionFramework
import XCTest

final class ConfigurationTests: XCTestCase {
    let types = ["miso.cts"]

    func parse(_ yaml: String, env: String = "dev", vars: [String: String] = [:]) throws -> ScraperConfiguration {
        try ScraperConfiguration.parse(yaml, file: "collectors.yaml", environment: env, variables: vars, knownTypes: types)
    }

    func testLayersDefaultsEnvironmentAndCollector() throws {
        let c = try parse("""
        defaults:
          http: {timeout: 30, rate_limit_per_minute: 5}
          registry: {ttl_days: 10}
        environments:
          staging:
            registry: {type: redis, host: redis.internal}
        collectors:
          miso-cts:
            type: miso.cts
            schedule: "*/15 * * * *"
            http: {rate_limit_per_minute: 1}
        """, env: "staging")
        XCTAssertEqual(c.settings.registry.type, "redis")
        XCTAssertEqual(c.settings.registry.host, "redis.internal")
        XCTAssertEqual(c.settings.registry.ttlDays, 10)
        XCTAssertEqual(c.collectors.first?.http.rateLimitPerMinute, 1)
        XCTAssertEqual(c.collectors.first?.http.timeout, 30)
        XCTAssertEqual(c.collectors.first?.schedule, "*/15 * * * *")
        let dev = try parse("environments:\n  staging:\n    registry: {type: redis}\n", env: "dev")
        XCTAssertNil(dev.settings.registry.type)
    }

    func testInterpolationWithDefaultsAndMissingVariable() throws {
        let yaml = """
        environments:
          prod:
            storage: {type: s3, bucket: "${S3_BUCKET}", region: "${AWS_REGION:-us-east-2}"}
        """
        let c = try parse(yaml, env: "prod", vars: ["S3_BUCKET": "prod-bucket"])
        XCTAssertEqual(c.settings.storage.bucket, "prod-bucket")
        XCTAssertEqual(c.settings.storage.region, "us-east-2")
        XCTAssertThrowsError(try parse(yaml, env: "prod")) { error in
            let e = error as! ConfigError
            XCTAssertEqual(e.line, 3)
            XCTAssertTrue(e.description.contains("S3_BUCKET is not set"), e.description)
            XCTAssertTrue(e.description.hasPrefix("collectors.yaml:3:"), e.description)
        }
        // A missing variable in an environment that is not selected is not an error.
        XCTAssertNoThrow(try parse(yaml, env: "dev"))
    }

    func testUnknownKeyNamesFileLineColumnAndSuggestion() {
        XCTAssertThrowsError(try parse("defaults:\n  storage:\n    buckt: x\n")) { error in
            let e = error as! ConfigError
            XCTAssertEqual(e.line, 3)
            XCTAssertEqual(e.column, 5)
            XCTAssertTrue(e.description.contains("unknown key 'buckt'"), e.description)
            XCTAssertTrue(e.description.contains("did you mean 'bucket'"), e.description)
        }
    }

    func testWrongTypesAndRanges() {
        for (yaml, fragment) in [
            ("defaults:\n  registry: {port: lots}\n", "registry.port must be a whole number"),
            ("defaults:\n  registry: {port: 70000}\n", "between 1 and 65535"),
            ("defaults:\n  storage: {type: ftp}\n", "storage.type must be one of local, s3"),
            ("collectors:\n  x:\n    type: miso.cts\n    enabled: maybe\n", "enabled must be true or false"),
            ("collectors:\n  x:\n    type: nope\n", "not a registered collector type"),
            ("collectors:\n  x:\n    enabled: true\n", "needs a type"),
            ("collectors:\n  x:\n    type: miso.cts\n    api_url: ftp://x\n", "must start with http"),
            ("environments:\n  qa: {}\n", "unknown key 'qa'"),
            ("defaults: [1, 2]\n", "must be a mapping"),
            ("defaults:\n  http: {timeout: [1]}\n", "must be a single value"),
        ] {
            XCTAssertThrowsError(try parse(yaml), yaml) { error in
                XCTAssertTrue("\(error)".contains(fragment), "\(error) should contain \(fragment)")
                XCTAssertNotNil((error as? ConfigError)?.line, "\(error)")
            }
        }
    }

    func testYAMLSyntaxErrorHasPosition() {
        XCTAssertThrowsError(try parse("defaults:\n  storage: {type: local\n")) { error in
            XCTAssertNotNil((error as? ConfigError)?.line, "\(error)")
            XCTAssertTrue("\(error)".contains("YAML syntax error"), "\(error)")
        }
    }

    func testSpecEnvironmentVariablesOverrideYAML() throws {
        let c = try parse("defaults:\n  registry: {type: embedded}\n", vars: [
            "S3_BUCKET": "b1", "REDIS_HOST": "r1", "REDIS_PORT": "6390", "AWS_PROFILE": "p1", "KAFKA_CONNECTION_STRING": "k:9092",
        ])
        XCTAssertEqual(c.settings.storage.type, "s3")
        XCTAssertEqual(c.settings.storage.bucket, "b1")
        XCTAssertEqual(c.settings.storage.profile, "p1")
        XCTAssertEqual(c.settings.registry.type, "redis")
        XCTAssertEqual(c.settings.registry.port, 6390)
        XCTAssertEqual(c.settings.notifications.type, "kafka")
        XCTAssertThrowsError(try parse("", vars: ["REDIS_PORT": "abc"]))
    }

    func testShippedCollectorsYAMLIsValidForEveryEnvironment() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("collectors.yaml").path
        let vars = ["S3_BUCKET": "b", "REDIS_HOST": "h", "KAFKA_CONNECTION_STRING": "k:9092"]
        for env in ["dev", "staging", "prod"] {
            let c = try ScraperConfiguration.load(path: path, environment: env, variables: vars, knownTypes: ["miso.cts", "miso.exante_lmp", "miso.binding_constraints"])
            let cts = try XCTUnwrap(c.collectors.first { $0.type == "miso.cts" })
            XCTAssertEqual(cts.http.rateLimitPerMinute, 1, "the live feed must be fetched at most once a minute")
            XCTAssertEqual(cts.schedule, "*/15 * * * *")
        }
    }

    func testInterpolationEdgeCases() throws {
        XCTAssertEqual(try VariableInterpolation.expand("a$${B}", environment: [:]), "a${B}")
        XCTAssertEqual(try VariableInterpolation.expand("${A:-x}-${B}", environment: ["B": "y"]), "x-y")
        XCTAssertEqual(try VariableInterpolation.expand("${A:-x}", environment: ["A": ""]), "x")
        XCTAssertThrowsError(try VariableInterpolation.expand("${A", environment: [:]))
        XCTAssertThrowsError(try VariableInterpolation.expand("${A B}", environment: [:]))
    }
}
