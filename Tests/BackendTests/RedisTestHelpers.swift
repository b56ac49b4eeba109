import CollectionFramework
import Foundation
import TestSupport
import XCTest

/// Shared set-up for the Redis tests: a configuration pointing at a test server, fast reconnects.
enum RedisTestHelpers {
    static func configuration(_ server: RedisServer, environment: String = "dev", password: String? = nil,
                              reconnectDelays: [Double] = [0.2, 0.4, 0.8]) throws -> RedisConfiguration {
        try RedisConfiguration(host: "127.0.0.1", port: server.port, password: password ?? server.password,
                               environment: environment, connectTimeout: 2, commandTimeout: 2,
                               reconnectDelays: reconnectDelays)
    }

    /// A raw connection for checking what the registry wrote (and writing foreign records).
    static func rawConnection(_ server: RedisServer) throws -> RedisConnection {
        try RedisConnection(configuration: configuration(server))
    }

    /// A 64-hex-digit stand-in for a SHA-256.
    static func sha(_ seed: String) -> String {
        var hex = ""
        for byte in Array(seed.utf8) { hex += String(format: "%02x", byte) }
        return String((hex + String(repeating: "0", count: 64)).prefix(64))
    }

    static func record(_ name: String) -> RegistryRecord {
        RegistryRecord(location: "s3://scraper-testing/sourcing/da_lmp/year=2025/month=01/day=02/\(name).gz",
                       registeredAt: "2025-01-02T03:04:05.123456Z",
                       metadata: JSONObject([("url", .string("https://example.invalid/\(name)")), ("version_id", .null), ("etag", .string("\"abc\""))]))
    }
}
