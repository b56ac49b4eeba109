import CollectionFramework
import XCTest

final class RedisConfigurationTests: XCTestCase {
    func testDefaults() async throws {
        let configuration = try RedisConfiguration()
        XCTAssertEqual(configuration.host, "localhost")
        XCTAssertEqual(configuration.port, 6379)
        XCTAssertEqual(configuration.database, 0)
        XCTAssertNil(configuration.username)
        XCTAssertNil(configuration.password)
        XCTAssertEqual(configuration.environment, "dev")
        XCTAssertEqual(configuration.connectTimeout, 5)
        XCTAssertEqual(configuration.commandTimeout, 5)
    }

    func testEnvironmentMustBeDevStagingOrProd() async throws {
        for valid in ["dev", "staging", "prod"] {
            XCTAssertNoThrow(try RedisConfiguration(environment: valid))
        }
        XCTAssertThrowsError(try RedisConfiguration(environment: "production")) { error in
            XCTAssertEqual(error as? RedisConfigurationError, .invalidEnvironment("production"))
            XCTAssertTrue("\(error)".contains("dev, staging, prod"), "\(error)")
        }
    }

    func testInvalidPortDatabaseAndTimeoutsAreRejected() async {
        XCTAssertThrowsError(try RedisConfiguration(port: 0)) { XCTAssertEqual($0 as? RedisConfigurationError, .invalidPort(0)) }
        XCTAssertThrowsError(try RedisConfiguration(port: 70000)) { XCTAssertEqual($0 as? RedisConfigurationError, .invalidPort(70000)) }
        XCTAssertThrowsError(try RedisConfiguration(database: -1)) { XCTAssertEqual($0 as? RedisConfigurationError, .invalidDatabase(-1)) }
        XCTAssertThrowsError(try RedisConfiguration(connectTimeout: 0)) {
            XCTAssertEqual($0 as? RedisConfigurationError, .invalidTimeout(name: "connect", seconds: 0))
        }
        XCTAssertThrowsError(try RedisConfiguration(commandTimeout: -1)) {
            XCTAssertEqual($0 as? RedisConfigurationError, .invalidTimeout(name: "command", seconds: -1))
        }
        XCTAssertThrowsError(try RedisConfiguration(host: "")) { XCTAssertEqual($0 as? RedisConfigurationError, .emptyHost) }
    }

    func testPasswordComesFromConfigThenEnvironment() async {
        let environment = ["REDIS_PASSWORD": "from-env"]
        XCTAssertEqual(RedisConfiguration.resolvedPassword(config: "from-config", environment: environment), "from-config")
        XCTAssertEqual(RedisConfiguration.resolvedPassword(config: nil, environment: environment), "from-env")
        XCTAssertEqual(RedisConfiguration.resolvedPassword(config: "", environment: environment), "from-env")
        XCTAssertNil(RedisConfiguration.resolvedPassword(config: nil, environment: [:]))
        XCTAssertNil(RedisConfiguration.resolvedPassword(config: nil, environment: ["REDIS_PASSWORD": ""]))
    }

    func testDescriptionNeverShowsThePassword() async throws {
        let marker = "marker-secret-\(UUID().uuidString)"
        let configuration = try RedisConfiguration(host: "redis.internal", port: 6380, database: 2, username: "scraper",
                                                   password: marker, environment: "prod")
        for text in [configuration.description, configuration.displayName, "\(configuration)", String(reflecting: configuration), dumped(configuration)] {
            XCTAssertFalse(text.contains(marker), text)
        }
        XCTAssertTrue(configuration.description.contains("redis://scraper@redis.internal:6380/2"), configuration.description)
        XCTAssertTrue(configuration.description.contains("password set"), configuration.description)
        XCTAssertTrue(configuration.description.contains("prod"), configuration.description)
    }

    private func dumped(_ value: some Any) -> String {
        var text = ""
        dump(value, to: &text)
        return text
    }
}
