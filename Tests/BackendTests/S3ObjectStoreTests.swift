import CollectionFramework
import Crypto
import Foundation
import TestSupport
import XCTest

/// S3ObjectStore against a real moto_server (authentication off), one server for the whole class.
final class S3ObjectStoreTests: XCTestCase {
    // Written only by the class setUp/tearDown, which XCTest runs before the first and after the last
    // test of the class; the tests only read them.
    nonisolated(unsafe) static var moto: MotoServer?
    nonisolated(unsafe) static var startError: (any Error)?

    override class func setUp() {
        super.setUp()
        do { moto = try MotoServer() } catch { startError = error }
    }

    override class func tearDown() {
        moto?.stop()
        moto = nil
        super.tearDown()
    }

    private func server() throws -> MotoServer {
        if let startError = Self.startError { throw startError }
        return try XCTUnwrap(Self.moto)
    }

    /// A store on a fresh versioned bucket.
    private func makeStore(versioned: Bool = true, mode: S3ConditionalWriteMode = .ifNoneMatch,
                           secret: String = "store-secret") throws -> (S3ObjectStore, String) {
        let moto = try server()
        let bucket = "scraper-\(UUID().uuidString.lowercased().prefix(12))"
        try moto.createBucket(bucket, versioned: versioned)
        let credentials = AWSCredentials(accessKeyID: "AKIATESTSTORE0000000", secretAccessKey: secret, source: .environment)
        let configuration = try S3Configuration(bucket: bucket, endpointURL: moto.endpoint, credentials: credentials,
                                                conditionalWrites: mode)
        return (S3ObjectStore(configuration: configuration, pause: { _ in }), bucket)
    }

    private func request(_ key: String, _ text: String, metadata: [String: String] = [:], force: Bool = false) -> ObjectPutRequest {
        let body = Data(text.utf8)
        let sha = SHA256.hash(data: body).map { String(format: "%02x", $0) }.joined()
        return ObjectPutRequest(key: key, body: body, contentSHA256: sha, metadata: metadata, replaceIdentical: force)
    }

    func testPutThenGetReturnsSameBytesWithETagVersionAndMetadata() async throws {
        let (store, bucket) = try makeStore()
        let key = "sourcing/miso_cts/year=2025/month=01/day=20/cts_20250120.json.gz"
        let put = request(key, "first body \(UUID())", metadata: ["url": "https://example.test/a?b=1", "Collector": "cts"])

        let stored = try await store.put(put)

        XCTAssertEqual(stored.location, "s3://\(bucket)/\(key)")
        XCTAssertEqual(stored.size, put.body.count)
        let md5 = Insecure.MD5.hash(data: put.body).map { String(format: "%02x", $0) }.joined()
        XCTAssertEqual(stored.etag, md5, "ETag is the body's MD5 without quotes")
        XCTAssertFalse(stored.versionID?.isEmpty ?? true, "versioned bucket gives a version id")
        await XCTAssertEqualAsync(try await store.get(key: key), put.body)
        XCTAssertEqual(try Self.moto?.listKeys(bucket), [key], "the key is stored with '=' decoded, not as %3D")

        let head = try await rawHead(bucket: bucket, key: key)
        XCTAssertEqual(head.headers["x-amz-meta-content-sha256"], put.contentSHA256)
        XCTAssertEqual(head.headers["x-amz-meta-url"], "https://example.test/a?b=1")
        XCTAssertEqual(head.headers["x-amz-meta-collector"], "cts")
        XCTAssertEqual(head.headers["content-type"], "application/gzip")
    }

    func testIdenticalRePutIsIdempotentAndKeepsOneVersion() async throws {
        let (store, bucket) = try makeStore()
        let key = "sourcing/x/year=2025/month=01/day=21/a.json.gz"
        let first = try await store.put(request(key, "same content"))
        let second = try await store.put(request(key, "same content"))
        XCTAssertEqual(second, first, "the existing object's etag and version are returned")
        XCTAssertEqual(try Self.moto?.versionCount(bucket, key: key), 1)
    }

    func testForcedIdenticalRePutStoresANewVersion() async throws {
        let (store, bucket) = try makeStore()
        let key = "sourcing/x/year=2025/month=01/day=22/a.json.gz"
        let first = try await store.put(request(key, "same content"))
        let forced = try await store.put(request(key, "same content", force: true))
        XCTAssertNotEqual(forced.versionID, first.versionID)
        XCTAssertEqual(forced.etag, first.etag)
        XCTAssertEqual(try Self.moto?.versionCount(bucket, key: key), 2)
    }

    func testDifferentContentAtSameKeyThrowsKeyTakenAndLeavesFirstObject() async throws {
        for mode in [S3ConditionalWriteMode.ifNoneMatch, .headThenPut] {
            let (store, bucket) = try makeStore(mode: mode)
            let key = "sourcing/x/year=2025/month=02/day=01/b.json.gz"
            let original = request(key, "original")
            _ = try await store.put(original)

            await XCTAssertThrowsErrorAsync(try await store.put(request(key, "different", force: true)), "\(mode)") { error in
                XCTAssertEqual(error as? ObjectStoreError, .keyTaken(key: key, existingSHA256: original.contentSHA256))
            }
            await XCTAssertEqualAsync(try await store.get(key: key), original.body, "\(mode): first object untouched")
            XCTAssertEqual(try Self.moto?.versionCount(bucket, key: key), 1, "\(mode): no second version written")
        }
    }

    func testLargeBodyOverOneMebibyteIsStoredWhole() async throws {
        let (store, _) = try makeStore()
        var bytes = [UInt8](repeating: 0, count: 3 * 1024 * 1024 + 17)
        for index in bytes.indices { bytes[index] = UInt8(truncatingIfNeeded: index &* 2654435761 >> 7) }
        let body = Data(bytes)
        let sha = SHA256.hash(data: body).map { String(format: "%02x", $0) }.joined()
        let stored = try await store.put(ObjectPutRequest(key: "big/blob.gz", body: body, contentSHA256: sha))
        XCTAssertEqual(stored.etag, Insecure.MD5.hash(data: body).map { String(format: "%02x", $0) }.joined())
        await XCTAssertEqualAsync(try await store.get(key: "big/blob.gz"), body)
    }

    func testUnversionedBucketHasNoVersionID() async throws {
        let (store, _) = try makeStore(versioned: false)
        let stored = try await store.put(request("plain/key.gz", "x"))
        XCTAssertNil(stored.versionID)
        XCTAssertNotNil(stored.etag)
    }

    func testKeysWithSpecialCharactersRoundTrip() async throws {
        let (store, bucket) = try makeStore()
        let keys = ["a b/c+d=e&f.gz", "ünïcode/ß.gz", "x/y~z_(1).gz"]
        for key in keys {
            let put = request(key, "body of \(key)")
            _ = try await store.put(put)
            await XCTAssertEqualAsync(try await store.get(key: key), put.body, key)
        }
        XCTAssertEqual(Set(try Self.moto?.listKeys(bucket) ?? []), Set(keys))
    }

    func testGetMissingKeyIsNil() async throws {
        let (store, _) = try makeStore()
        await XCTAssertNilAsync(try await store.get(key: "no/such/key.gz"))
    }

    func testCheckReachableSucceedsForBucketAndNamesMissingBucket() async throws {
        let (store, _) = try makeStore()
        await XCTAssertNoThrowAsync(try await store.checkReachable())

        let moto = try server()
        let credentials = AWSCredentials(accessKeyID: "AKIATESTSTORE0000000", secretAccessKey: "s",
                                         source: .profile(name: "localstack", file: "/tmp/credentials"))
        let missing = S3ObjectStore(configuration: try S3Configuration(bucket: "no-such-bucket", endpointURL: moto.endpoint,
                                                                       credentials: credentials, profileName: "localstack"))
        await XCTAssertThrowsErrorAsync(try await missing.checkReachable()) { error in
            XCTAssertEqual("\(error)", "bucket no-such-bucket does not exist at \(moto.endpoint) (profile localstack): create it or fix --s3-bucket")
        }
        await XCTAssertThrowsErrorAsync(try await missing.put(request("k.gz", "x"))) { error in
            XCTAssertTrue("\(error)".hasPrefix("bucket no-such-bucket does not exist at \(moto.endpoint)"), "\(error)")
        }
    }

    func testMarkerSecretAndTokenNeverAppearInErrorsOrDescriptions() async throws {
        let secret = "MARKER-SECRET-91ab7c3d4e", token = "MARKER-TOKEN-0d9e8f7a6b"
        let moto = try server()
        let bucket = "marker-\(UUID().uuidString.lowercased().prefix(8))"
        try moto.createBucket(bucket)
        let credentials = AWSCredentials(accessKeyID: "AKIAMARKER0000000000", secretAccessKey: secret, sessionToken: token,
                                         source: .environment)
        func makeStore(_ bucket: String, endpoint: String) throws -> S3ObjectStore {
            S3ObjectStore(configuration: try S3Configuration(bucket: bucket, endpointURL: endpoint, credentials: credentials),
                          pause: { _ in })
        }
        let store = try makeStore(bucket, endpoint: moto.endpoint)
        _ = try await store.put(request("k.gz", "one"))
        var texts = [store.displayName, "\(store.configuration)", String(reflecting: store.configuration)]
        await XCTAssertThrowsErrorAsync(try await store.put(request("k.gz", "two"))) { texts.append("\($0)") }
        await XCTAssertThrowsErrorAsync(try await makeStore("absent-bucket", endpoint: moto.endpoint).checkReachable()) { texts.append("\($0)") }
        await XCTAssertThrowsErrorAsync(try await makeStore(bucket, endpoint: "http://127.0.0.1:\(Loopback.freePort())").put(request("k.gz", "x"))) {
            texts.append("\($0)")
        }
        XCTAssertEqual(texts.count, 6)
        for text in texts {
            XCTAssertFalse(text.contains(secret), text)
            XCTAssertFalse(text.contains(token), text)
        }
    }

    func testDisplayNameNamesBucketEndpointAndRegion() async throws {
        let (store, bucket) = try makeStore()
        XCTAssertEqual(store.displayName, "s3://\(bucket) (endpoint \(try server().endpoint), region us-east-1)")
    }

    /// HEAD through a plain signed request, to read what moto stored.
    private func rawHead(bucket: String, key: String) async throws -> HTTPResponse {
        let moto = try server()
        let signing = AWSSigning(region: "us-east-1", service: "s3", accessKeyID: "AKIAX", secretAccessKey: "x")
        return try await CurlHTTPClient().send(HTTPRequest(method: "HEAD", url: "\(moto.endpoint)/\(bucket)/\(S3Configuration.encodeKeyPath(key))",
                                                     awsSigning: signing))
    }
}
