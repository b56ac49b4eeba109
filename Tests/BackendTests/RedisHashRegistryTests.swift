import CollectionFramework
import Foundation
import TestSupport
import XCTest

/// The registry against a real redis-server: the Python schema, TTLs, get/delete/count.
final class RedisHashRegistryTests: XCTestCase {
    private var server: RedisServer!
    private var raw: RedisConnection!

    override func setUpWithError() throws {
        server = try RedisServer()
        raw = try RedisTestHelpers.rawConnection(server)
    }

    override func tearDown() {
        raw = nil
        server = nil
    }

    private func registry(environment: String = "dev") throws -> RedisHashRegistry {
        try RedisHashRegistry(configuration: RedisTestHelpers.configuration(server, environment: environment))
    }

    func testRegisterWritesPythonKeyAndRecordJSONWithTTL() async throws {
        let registry = try registry()
        let sha = RedisTestHelpers.sha("first file")
        let record = RedisTestHelpers.record("first")
        try await registry.register(sha256: sha, datasetGroup: "da_lmp", record: record, ttl: 86_400)

        let key = "hash:dev:da_lmp:\(sha)"
        guard case .string(let stored) = try raw.command(["GET", key]) else {
            return XCTFail("nothing stored under \(key): keys are \(try raw.command(["KEYS", "*"]))")
        }
        XCTAssertEqual(stored, record.json())
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(stored.utf8)) as? [String: Any])
        XCTAssertEqual(Set(object.keys), ["s3_path", "registered_at", "metadata"])
        XCTAssertEqual(object["s3_path"] as? String, record.location)
        XCTAssertEqual(object["registered_at"] as? String, "2025-01-02T03:04:05.123456Z")
        let metadata = try XCTUnwrap(object["metadata"] as? [String: Any])
        XCTAssertEqual(metadata["etag"] as? String, "\"abc\"")
        XCTAssertTrue(metadata["version_id"] is NSNull)

        let ttl = try XCTUnwrap(try raw.command(["TTL", key]).integer)
        XCTAssertTrue((86_390...86_400).contains(ttl), "TTL \(ttl) is not about 86400")
        // Parsing sorts metadata keys (see JSONValue.parse), so compare them as a dictionary.
        let read = try await XCTUnwrapAsync(try await registry.get(sha256: sha, datasetGroup: "da_lmp"))
        XCTAssertEqual(read.location, record.location)
        XCTAssertEqual(read.registeredAt, record.registeredAt)
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: read.metadata.pairs.map { ($0.key, $0.value) }),
                       Dictionary(uniqueKeysWithValues: record.metadata.pairs.map { ($0.key, $0.value) }))
    }

    func testRegisterRefusesNonPositiveTTL() async throws {
        let registry = try registry()
        await XCTAssertThrowsErrorAsync(try await registry.register(sha256: RedisTestHelpers.sha("x"), datasetGroup: "g",
                                                   record: RedisTestHelpers.record("x"), ttl: 0))
        XCTAssertEqual(try raw.command(["DBSIZE"]).integer, 0)
    }

    func testExistsAndGetHonourARecordWrittenBySomeoneElse() async throws {
        let sha = RedisTestHelpers.sha("python wrote this")
        // As Python's json.dumps writes it (spaces after separators), with a plain SET.
        let foreign = #"{"s3_path": "s3://scraper-testing/sourcing/rt_lmp/year=2024/month=12/day=31/file.csv.gz", "registered_at": "2024-12-31T23:59:59.000001Z", "metadata": {"url": "https://example.invalid/file.csv", "version_id": "v1", "etag": "\"e\""}}"#
        XCTAssertEqual(try raw.command(["SET", "hash:staging:rt_lmp:\(sha)", foreign]), .status("OK"))

        let staging = try registry(environment: "staging")
        await XCTAssertTrueAsync(try await staging.exists(sha256: sha, datasetGroup: "rt_lmp"))
        let record = try await XCTUnwrapAsync(try await staging.get(sha256: sha, datasetGroup: "rt_lmp"))
        XCTAssertEqual(record.location, "s3://scraper-testing/sourcing/rt_lmp/year=2024/month=12/day=31/file.csv.gz")
        XCTAssertEqual(record.registeredAt, "2024-12-31T23:59:59.000001Z")
        XCTAssertEqual(record.metadata["version_id"], .string("v1"))

        await XCTAssertFalseAsync(try await staging.exists(sha256: sha, datasetGroup: "da_lmp"), "other dataset group")
        await XCTAssertFalseAsync(try await registry(environment: "prod").exists(sha256: sha, datasetGroup: "rt_lmp"), "other environment")
        await XCTAssertFalseAsync(try await staging.exists(sha256: RedisTestHelpers.sha("other"), datasetGroup: "rt_lmp"))
    }

    func testGetOfACorruptValueSaysSo() async throws {
        let sha = RedisTestHelpers.sha("corrupt")
        _ = try raw.command(["SET", "hash:dev:g:\(sha)", "not json"])
        await XCTAssertThrowsErrorAsync(try await registry().get(sha256: sha, datasetGroup: "g")) { error in
            guard case .corruptRecord(let message)? = error as? HashRegistryError else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("hash:dev:g:\(sha)"), message)
        }
    }

    func testGetAndDelete() async throws {
        let registry = try registry()
        let sha = RedisTestHelpers.sha("delete me")
        await XCTAssertNilAsync(try await registry.get(sha256: sha, datasetGroup: "g"))
        await XCTAssertFalseAsync(try await registry.delete(sha256: sha, datasetGroup: "g"))
        try await registry.register(sha256: sha, datasetGroup: "g", record: RedisTestHelpers.record("d"), ttl: 60)
        await XCTAssertTrueAsync(try await registry.exists(sha256: sha, datasetGroup: "g"))
        await XCTAssertTrueAsync(try await registry.delete(sha256: sha, datasetGroup: "g"))
        await XCTAssertFalseAsync(try await registry.exists(sha256: sha, datasetGroup: "g"))
        await XCTAssertNilAsync(try await registry.get(sha256: sha, datasetGroup: "g"))
        XCTAssertEqual(try raw.command(["EXISTS", "hash:dev:g:\(sha)"]).integer, 0)
    }

    func testCountSeesOnlyItsEnvironmentAndDatasetGroup() async throws {
        let dev = try registry()
        for index in 0..<3 {
            try await dev.register(sha256: RedisTestHelpers.sha("a\(index)"), datasetGroup: "da_lmp", record: RedisTestHelpers.record("a"), ttl: 60)
        }
        try await dev.register(sha256: RedisTestHelpers.sha("b"), datasetGroup: "da_lmp_extra", record: RedisTestHelpers.record("b"), ttl: 60)
        try await dev.register(sha256: RedisTestHelpers.sha("c"), datasetGroup: "rt_lmp", record: RedisTestHelpers.record("c"), ttl: 60)
        try await self.registry(environment: "prod").register(sha256: RedisTestHelpers.sha("d"), datasetGroup: "da_lmp",
                                                      record: RedisTestHelpers.record("d"), ttl: 60)
        await XCTAssertTrueAsync(try await dev.claim(sha256: RedisTestHelpers.sha("e"), datasetGroup: "da_lmp", ttl: 60))

        await XCTAssertEqualAsync(try await dev.count(datasetGroup: "da_lmp"), 3)
        await XCTAssertEqualAsync(try await dev.count(datasetGroup: "da_lmp_extra"), 1)
        await XCTAssertEqualAsync(try await dev.count(datasetGroup: "rt_lmp"), 1)
        await XCTAssertEqualAsync(try await dev.count(datasetGroup: "nothing"), 0)
        await XCTAssertEqualAsync(try await self.registry(environment: "prod").count(datasetGroup: "da_lmp"), 1)
        await XCTAssertTrueAsync(try await dev.delete(sha256: RedisTestHelpers.sha("a0"), datasetGroup: "da_lmp"))
        await XCTAssertEqualAsync(try await dev.count(datasetGroup: "da_lmp"), 2)
    }

    func testCountTreatsGlobCharactersInTheDatasetGroupLiterally() async throws {
        let dev = try registry()
        try await dev.register(sha256: RedisTestHelpers.sha("1"), datasetGroup: "lmp*", record: RedisTestHelpers.record("1"), ttl: 60)
        try await dev.register(sha256: RedisTestHelpers.sha("2"), datasetGroup: "lmpx", record: RedisTestHelpers.record("2"), ttl: 60)
        try await dev.register(sha256: RedisTestHelpers.sha("3"), datasetGroup: "lmp?", record: RedisTestHelpers.record("3"), ttl: 60)
        await XCTAssertEqualAsync(try await dev.count(datasetGroup: "lmp*"), 1)
        await XCTAssertEqualAsync(try await dev.count(datasetGroup: "lmp?"), 1)
        await XCTAssertEqualAsync(try await dev.count(datasetGroup: "lmp"), 0)
    }

    func testCountFollowsTheScanCursorPastOneBatch() async throws {
        // More keys than one SCAN COUNT 1000 batch, plus noise in other groups.
        for index in 0..<2_500 {
            _ = try raw.command(["SET", "hash:dev:big:\(RedisTestHelpers.sha("big\(index)"))", "{}"])
        }
        for index in 0..<700 {
            _ = try raw.command(["SET", "hash:dev:other:\(RedisTestHelpers.sha("o\(index)"))", "{}"])
        }
        await XCTAssertEqualAsync(try await registry().count(datasetGroup: "big"), 2_500)
    }
}
