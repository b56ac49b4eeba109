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
        XCTAssertEqual(c.settings.registry.type, .redis)
        XCTAssertEqual(c.settings.registry.host, "redis.internal")
        XCTAssertEqual(c.settings.registry.ttlDays, 10)
        XCTAssertEqual(c.collectors.first?.http.rateLimitPerMinute, 1)
        XCTAssertEqual(c.collectors.first?.http.timeout, 30)
        XCTAssertEqual(c.collectors.first?.schedule, "*/15 * * * *")
        let dev = try parse("environments:\n  staging:\n    registry: {type: redis}\n", env: "dev")
        XCTAssertNil(dev.settings.registry.type)
    }

    func testACollectorsTimezoneIsAnIANANameReadIntoItsSchedule() throws {
        let c = try parse("collectors:\n  miso-cts: {type: miso.cts, schedule: \"0 6 * * *\", timezone: America/Chicago}\n")
        XCTAssertEqual(c.collectors.first?.timezone, "America/Chicago")
        XCTAssertEqual(try c.settings.resolved(try XCTUnwrap(c.collectors.first)).cronSchedule().timeZone.identifier, "America/Chicago")
        XCTAssertThrowsError(try parse("collectors:\n  miso-cts: {type: miso.cts, timezone: Mars/Olympus}\n")) { error in
            XCTAssertTrue("\(error)".contains("collectors.miso-cts.timezone \"Mars/Olympus\" is not an IANA time zone name"), "\(error)")
        }
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
        XCTAssertEqual(c.settings.storage.type, .s3)
        XCTAssertEqual(c.settings.storage.bucket, "b1")
        XCTAssertEqual(c.settings.storage.profile, "p1")
        XCTAssertEqual(c.settings.registry.type, .redis)
        XCTAssertEqual(c.settings.registry.port, 6390)
        XCTAssertEqual(c.settings.notifications.type, .kafka)
        XCTAssertThrowsError(try parse("", vars: ["REDIS_PORT": "abc"]))
    }

    func testShippedCollectorsYAMLIsValidForEveryEnvironment() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("collectors.yaml").path
        let vars = ["S3_BUCKET": "b", "REDIS_HOST": "h", "KAFKA_CONNECTION_STRING": "k:9092"]
        for env in ["dev", "staging", "prod"] {
            let c = try ScraperConfiguration.load(path: path, environment: env, variables: vars, knownTypes: ["miso.cts", "miso.exante_lmp", "miso.binding_constraints", "nyiso.rt_zonal_lbmp", "nyiso.da_zonal_lbmp", "caiso.lmp", "spp.rt_lmp", "spp.da_lmp"])
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

    // MARK: Resolution into typed values

    func testBuiltInDefaultsResolveToTheEmbeddedBackendsAndOneSetOfNumbers() throws {
        let c = try parse("collectors:\n  miso-cts: {type: miso.cts}\n")
        let resolved = try c.settings.resolved()
        XCTAssertEqual(resolved.storage, .local(LocalStoreOptions(path: "./data")))
        XCTAssertEqual(resolved.registry, .embedded(path: "./data/registry.sqlite3"))
        XCTAssertEqual(resolved.notifier, .none)
        XCTAssertEqual(resolved.http, HTTPClientConfiguration())
        let cts = c.settings.resolved(try XCTUnwrap(c.collectors.first))
        // One request timeout everywhere: the runner's, the collector configuration's, the candidate's.
        XCTAssertEqual(cts.requestTimeout, 60)
        XCTAssertEqual(CollectorConfiguration(name: "x").requestTimeout, cts.requestTimeout)
        XCTAssertEqual(DownloadCandidate(identifier: "x", sourceURL: "http://127.0.0.1", partitionDate: CalendarDate(year: 2025, month: 1, day: 20)!).timeout,
                       cts.requestTimeout)
        XCTAssertEqual(cts.rateLimitPerMinute, 0)
        XCTAssertEqual(cts.retryPolicy, RetryPolicy(maxAttempts: 4, baseDelay: 1, maxDelay: 30, maxRetryAfter: 120))
        XCTAssertEqual(cts.pipeline, PipelineOptions(force: false, concurrency: 4, gzipLevel: Gzip.defaultLevel, registryTTL: 365 * 86400,
                                                     claimTTL: 300, quarantineRejected: true, retryPolicy: cts.retryPolicy))
        XCTAssertEqual(cts.client, HTTPClientConfiguration())
        XCTAssertEqual(cts.effectiveSchedule, "*/15 * * * *")
    }

    func testEveryLayerReachesTheResolvedValues() throws {
        let c = try parse("""
        defaults:
          http: {timeout: 12, connect_timeout: 3, max_response_bytes: 4096, user_agent: ua/1}
          retry: {max_attempts: 2}
          pipeline: {gzip_level: 9}
          registry: {ttl_days: 2, claim_ttl: 7}
        environments:
          prod:
            storage: {type: s3, bucket: b, region: eu-west-1}
            registry: {type: redis, host: r, port: 6390, db: 3, password: pw}
            notifications: {type: kafka, connection_string: "k:9092", topic: t, delivery_timeout: 4, properties: {"a": "b"}}
        collectors:
          miso-cts:
            type: miso.cts
            http: {rate_limit_per_minute: 1, timeout: 5}
            retry: {base_delay: 0.5}
            pipeline: {concurrency: 2, quarantine_rejected: false}
        """, env: "prod")
        let resolved = try c.settings.resolved()
        XCTAssertEqual(resolved.storage, .s3(S3StoreOptions(bucket: "b", region: "eu-west-1")))
        XCTAssertEqual(resolved.registry, .redis(RedisRegistryOptions(host: "r", port: 6390, database: 3, password: "pw")))
        XCTAssertEqual(resolved.notifier, .kafka(KafkaNotifierOptions(connectionString: "k:9092", topic: "t", deliveryTimeout: 4, properties: ["a": "b"])))
        XCTAssertEqual(resolved.http, HTTPClientConfiguration(userAgent: "ua/1", connectTimeout: 3, maxResponseBytes: 4096))
        let cts = c.settings.resolved(try XCTUnwrap(c.collectors.first))
        XCTAssertEqual(cts.requestTimeout, 5)
        XCTAssertEqual(cts.rateLimitPerMinute, 1)
        XCTAssertEqual(cts.retryPolicy, RetryPolicy(maxAttempts: 2, baseDelay: 0.5))
        XCTAssertEqual(cts.pipeline.concurrency, 2)
        XCTAssertEqual(cts.pipeline.gzipLevel, 9)
        XCTAssertEqual(cts.pipeline.registryTTL, 2 * 86400)
        XCTAssertEqual(cts.pipeline.claimTTL, 7)
        XCTAssertFalse(cts.pipeline.quarantineRejected)
        XCTAssertEqual(cts.pipeline.retryPolicy, cts.retryPolicy)
        XCTAssertEqual(cts.client.userAgent, "ua/1")
        XCTAssertEqual(CollectionDaemon.defaultStatePath(registry: resolved.registry, environment: "prod"), "./data/serve-state.prod.json")
        XCTAssertEqual(CollectionDaemon.defaultStatePath(registry: .embedded(path: "state/r.sqlite3"), environment: "dev"), "state/serve-state.dev.json")
    }

    func testABackendMissingWhatItNeedsIsRefusedWhenResolved() throws {
        XCTAssertThrowsError(try parse("defaults:\n  storage: {type: s3}\n").settings.resolved()) { error in
            XCTAssertEqual("\(error)", "storage.type is s3 but no bucket is set: pass --s3-bucket, set S3_BUCKET or storage.bucket")
        }
        XCTAssertThrowsError(try parse("defaults:\n  notifications: {type: kafka}\n").settings.resolved()) { error in
            XCTAssertTrue("\(error)".hasPrefix("notifications.type is kafka but no connection string is set"), "\(error)")
        }
        // Only the storage section is needed to resolve the registry (scraper registry …).
        XCTAssertEqual(try parse("defaults:\n  storage: {type: s3}\n").settings.registry.resolved(), .embedded(path: "./data/registry.sqlite3"))
    }

    func testBackendKindsSpellTheirYAMLNames() {
        XCTAssertEqual(StorageKind.allCases.map(\.rawValue), ["local", "s3"])
        XCTAssertEqual(RegistryKind.allCases.map(\.rawValue), ["embedded", "redis"])
        XCTAssertEqual(NotifierKind.allCases.map(\.rawValue), ["none", "kafka"])
    }

    // MARK: Collector parameters in collectors.yaml

    func testConfigCheckReportsBadParametersWithTheirPosition() {
        let declared = ["miso.cts": [CollectorParameter("interval", .time(gridMinutes: 5), help: "interval", example: "14:35"),
                                     CollectorParameter("node", help: "node")]]
        let result = ScraperConfiguration.check("""
        collectors:
          miso-cts:
            type: miso.cts
            parameters:
              interval: "14:37"
              nodes: X
        """, file: "collectors.yaml", environment: "dev", variables: [:], knownTypes: types, parameters: declared)
        XCTAssertNil(result.configuration)
        XCTAssertEqual(result.problems.map(\.description), [
            #"collectors.yaml:5:17: collectors.miso-cts.parameters.interval: invalid interval "14:37" for miso.cts: expected HH:MM with hour 00-23 and minutes on the 5-minute grid (00, 05, ..., 55), e.g. 14:35"#,
            "collectors.yaml:6:7: unknown key 'nodes' in collectors.miso-cts.parameters (did you mean 'node'?); miso.cts accepts only: interval, node",
        ])
        let good = ScraperConfiguration.check("collectors:\n  miso-cts:\n    type: miso.cts\n    parameters: {interval: \"14:35\"}\n",
                                              file: "collectors.yaml", environment: "dev", variables: [:], knownTypes: types, parameters: declared)
        XCTAssertEqual(good.problems, [])
        XCTAssertEqual(good.configuration?.collectors.first?.parameters, ["interval": "14:35"])
    }
}
