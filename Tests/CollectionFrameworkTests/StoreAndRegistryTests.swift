import CollectionFramework
import TestSupport
import Synchronization
import XCTest

final class LocalObjectStoreTests: XCTestCase {
    func makeStore() -> LocalObjectStore { LocalObjectStore(root: TestPaths.temporaryDirectory("store")) }

    func put(_ store: LocalObjectStore, _ key: String, _ raw: String, replace: Bool = false) async throws -> StoredObject {
        let data = Data(raw.utf8)
        return try await store.put(ObjectPutRequest(key: key, body: try Gzip.compress(data), contentSHA256: ContentHash.sha256Hex(data), replaceIdentical: replace))
    }

    func testStoresAtKeyAndReadsBack() async throws {
        let store = makeStore()
        let key = StorageKey.object(datasetGroup: "g", date: CalendarDate(year: 2025, month: 1, day: 20)!, identifier: "cts_20250120.json")
        XCTAssertEqual(key, "sourcing/g/year=2025/month=01/day=20/cts_20250120.json.gz")
        let stored = try await put(store, key, "{\"a\":1}")
        XCTAssertEqual(stored.location, "file://" + store.root.appendingPathComponent(key).path)
        await XCTAssertEqualAsync(try Gzip.decompress(try await XCTUnwrapAsync(await store.get(key: key))), Data("{\"a\":1}".utf8))
        XCTAssertEqual(store.keys(), [key], "no temporary files are left behind")
    }

    func testIdenticalContentIsIdempotentAndDifferentContentIsRefused() async throws {
        let store = makeStore()
        _ = try await put(store, "sourcing/g/x.json.gz", "one")
        await XCTAssertNoThrowAsync(try await put(store, "sourcing/g/x.json.gz", "one"))
        await XCTAssertNoThrowAsync(try await put(store, "sourcing/g/x.json.gz", "one", replace: true))
        await XCTAssertThrowsErrorAsync(try await put(store, "sourcing/g/x.json.gz", "two")) { error in
            guard case ObjectStoreError.keyTaken = error else { return XCTFail("\(error)") }
        }
        await XCTAssertEqualAsync(try Gzip.decompress(try await XCTUnwrapAsync(await store.get(key: "sourcing/g/x.json.gz"))), Data("one".utf8))
    }

    func testNewerContentReplacesTheKeyAndThePreviousFileMovesToItsHistoryKey() async throws {
        let store = makeStore()
        let key = "sourcing/g/year=2025/month=01/day=20/cts_20250120.json.gz"
        let old = try await put(store, key, "forecast v1")
        let raw = Data("forecast v2".utf8)
        let stored = try await store.put(ObjectPutRequest(key: key, body: try Gzip.compress(raw), contentSHA256: ContentHash.sha256Hex(raw),
                                                          replaceDifferent: true))
        let oldSHA = ContentHash.sha256Hex(Data("forecast v1".utf8))
        let history = "sourcing/_history/g/year=2025/month=01/day=20/cts_20250120.\(oldSHA.prefix(12)).json.gz"
        XCTAssertEqual(stored.replaced, .historyCopy(key: history, location: store.location(forKey: history), previousSHA256: oldSHA))
        await XCTAssertEqualAsync(try Gzip.decompress(try await XCTUnwrapAsync(await store.get(key: key))), raw, "the newest content is at the key")
        await XCTAssertEqualAsync(try await store.get(key: history).map(ContentHash.md5Hex), old.etag, "the previous file, byte for byte")
        XCTAssertEqual(store.keys(), [history, key])

        // The same newer content again: idempotent, nothing moves.
        let again = try await store.put(ObjectPutRequest(key: key, body: try Gzip.compress(raw), contentSHA256: ContentHash.sha256Hex(raw),
                                                         replaceDifferent: true))
        XCTAssertNil(again.replaced)
        XCTAssertEqual(store.keys(), [history, key])
    }

    func testHistoryKeyLayout() {
        let sha = String(repeating: "ab", count: 32)
        XCTAssertEqual(StorageKey.history(of: "sourcing/g/year=2025/month=01/day=20/cts_20250120.json.gz", previousSHA256: sha),
                       "sourcing/_history/g/year=2025/month=01/day=20/cts_20250120.abababababab.json.gz")
        XCTAssertEqual(StorageKey.history(of: "sourcing/g/x.gz", previousSHA256: sha), "sourcing/_history/g/x.abababababab.gz")
        XCTAssertEqual(StorageKey.history(of: "other/name", previousSHA256: sha), "_history/other/name.abababababab")
    }

    func testKeysThatEscapeTheRootAreRefused() async {
        let store = makeStore()
        for key in ["../x.gz", "sourcing/../../x.gz", "/etc/x.gz", "a//b.gz", "a/\u{1}b.gz", ""] {
            await XCTAssertThrowsErrorAsync(try await put(store, key, "x"), key)
        }
    }

    func testConcurrentWritersOfDifferentContentNeverClobber() async throws {
        let store = makeStore()
        let winners = await withTaskGroup(of: Int?.self) { group in
            for i in 0..<8 {
                group.addTask {
                    let data = Data("content-\(i)".utf8)
                    let request = ObjectPutRequest(key: "sourcing/g/same.json.gz", body: try! Gzip.compress(data),
                                                   contentSHA256: ContentHash.sha256Hex(data))
                    return (try? await store.put(request)) == nil ? nil : i
                }
            }
            return await group.compactMap { $0 }.reduce(into: [Int]()) { $0.append($1) }
        }
        XCTAssertEqual(winners.count, 1, "exactly one writer wins the key")
        let winner = winners[0]
        await XCTAssertEqualAsync(try Gzip.decompress(try await XCTUnwrapAsync(await store.get(key: "sourcing/g/same.json.gz"))), Data("content-\(winner)".utf8))
    }
}

final class SQLiteHashRegistryTests: XCTestCase {
    func testRegisterGetCountDeleteAndRecordSchema() async throws {
        let path = TestPaths.temporaryDirectory("reg").appendingPathComponent("r.sqlite3").path
        let registry = try SQLiteHashRegistry(path: path, environment: "dev")
        let record = RegistryRecord(location: "s3://b/k", registeredAt: RegistryRecord.timestamp(), metadata: ["version_id": .string("v1"), "etag": .string("e")])
        await XCTAssertFalseAsync(try await registry.exists(sha256: "abc", datasetGroup: "g"))
        try await registry.register(sha256: "abc", datasetGroup: "g", record: record, ttl: 3600)
        try await registry.register(sha256: "def", datasetGroup: "other", record: record, ttl: 3600)
        await XCTAssertTrueAsync(try await registry.exists(sha256: "abc", datasetGroup: "g"))
        await XCTAssertEqualAsync(try await registry.get(sha256: "abc", datasetGroup: "g"), record, "a record reads back field for field, in order")
        await XCTAssertEqualAsync(try await registry.count(datasetGroup: "g"), 1)
        XCTAssertTrue(record.json().hasPrefix("{\"s3_path\": \"s3://b/k\", \"registered_at\": \""))
        XCTAssertTrue(record.registeredAt.hasSuffix("Z"))
        await XCTAssertTrueAsync(try await registry.delete(sha256: "abc", datasetGroup: "g"))
        await XCTAssertFalseAsync(try await registry.delete(sha256: "abc", datasetGroup: "g"))
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
    }

    func testRecordsExpireAfterTheirTTLAndSurviveReopening() async throws {
        let path = TestPaths.temporaryDirectory("reg").appendingPathComponent("r.sqlite3").path
        let clock = TestClock()
        let registry = try SQLiteHashRegistry(path: path, environment: "prod", clock: { clock.now })
        try await registry.register(sha256: "abc", datasetGroup: "g", record: RegistryRecord(location: "x", registeredAt: "t", metadata: [:]), ttl: 100)
        let reopened = try SQLiteHashRegistry(path: path, environment: "prod", clock: { clock.now })
        await XCTAssertTrueAsync(try await reopened.exists(sha256: "abc", datasetGroup: "g"))
        let ttl = try await XCTUnwrapAsync(try await reopened.timeToLive(sha256: "abc", datasetGroup: "g"))
        XCTAssertEqual(ttl, 100, accuracy: 1)
        clock.advance(101)
        await XCTAssertFalseAsync(try await reopened.exists(sha256: "abc", datasetGroup: "g"))
        await XCTAssertEqualAsync(try await reopened.count(datasetGroup: "g"), 0)
        let dev = try SQLiteHashRegistry(path: path, environment: "dev", clock: { clock.now })
        await XCTAssertFalseAsync(try await dev.exists(sha256: "abc", datasetGroup: "g"), "environments do not share keys")
    }

    func testClaimIsExclusiveAcrossConnectionsAndExpires() async throws {
        let path = TestPaths.temporaryDirectory("reg").appendingPathComponent("r.sqlite3").path
        let clock = TestClock()
        let a = try SQLiteHashRegistry(path: path, environment: "dev", clock: { clock.now })
        let b = try SQLiteHashRegistry(path: path, environment: "dev", clock: { clock.now })
        await XCTAssertTrueAsync(try await a.claim(sha256: "h", datasetGroup: "g", ttl: 10))
        await XCTAssertFalseAsync(try await b.claim(sha256: "h", datasetGroup: "g", ttl: 10))
        try await b.releaseClaim(sha256: "h", datasetGroup: "g")
        await XCTAssertFalseAsync(try await b.claim(sha256: "h", datasetGroup: "g", ttl: 10), "only the owner releases a claim")
        clock.advance(11)
        await XCTAssertTrueAsync(try await b.claim(sha256: "h", datasetGroup: "g", ttl: 10), "an abandoned claim expires by itself")
        try await b.releaseClaim(sha256: "h", datasetGroup: "g")
        await XCTAssertTrueAsync(try await a.claim(sha256: "h", datasetGroup: "g", ttl: 10))
    }

    func testRefusesUnknownEnvironment() async {
        XCTAssertThrowsError(try SQLiteHashRegistry(path: TestPaths.temporaryDirectory().appendingPathComponent("r").path, environment: "qa"))
    }
}

final class TestClock: Sendable {
    private let current = Mutex(Date(timeIntervalSince1970: 1_700_000_000))
    var now: Date { current.withLock { $0 } }
    func advance(_ seconds: Double) { current.withLock { $0 += seconds } }
}
