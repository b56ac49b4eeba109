import CollectionFramework
import Foundation
import TestSupport
import XCTest

/// Newer content for a key (a revised day) against a real moto_server: a versioned bucket keeps the
/// previous content as an older version, an unversioned one gets a history copy first; objects
/// without the SHA-256 metadata (as the Python collectors write them) are hashed to recognise
/// identical content.
final class S3ReplacementTests: XCTestCase {
    // Written only by the class setUp/tearDown; the tests only read them.
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

    private func makeStore(versioned: Bool) throws -> (S3ObjectStore, String) {
        let moto = try server()
        let bucket = "replace-\(UUID().uuidString.lowercased().prefix(12))"
        try moto.createBucket(bucket, versioned: versioned)
        let credentials = AWSCredentials(accessKeyID: "AKIATESTSTORE0000000", secretAccessKey: "s", source: .environment)
        return (S3ObjectStore(configuration: try S3Configuration(bucket: bucket, endpointURL: moto.endpoint, credentials: credentials),
                              pause: { _ in }), bucket)
    }

    private func request(_ key: String, _ text: String, replace: Bool = true) throws -> ObjectPutRequest {
        let raw = Data(text.utf8)
        return ObjectPutRequest(key: key, body: try Gzip.compress(raw), contentSHA256: ContentHash.sha256Hex(raw),
                                contentType: "application/gzip", replaceDifferent: replace)
    }

    private let key = "sourcing/g/year=2025/month=01/day=20/cts_20250120.json.gz"

    func testVersionedBucketOverwritesAndS3KeepsThePreviousVersion() async throws {
        let (store, bucket) = try makeStore(versioned: true)
        let old = try request(key, "forecast v1")
        let first = try await store.put(old)
        let second = try await store.put(request(key, "forecast v2 (revised)"))
        XCTAssertEqual(second.key, key)
        XCTAssertEqual(second.replaced, .olderVersion(versionID: first.versionID, previousSHA256: old.contentSHA256))
        XCTAssertNotEqual(second.versionID, first.versionID)
        let body = try await XCTUnwrapAsync(try await store.get(key: key))
        XCTAssertEqual(try Gzip.decompress(body), Data("forecast v2 (revised)".utf8), "the newest content is at the normal key")
        XCTAssertEqual(try server().versionCount(bucket, key: key), 2, "S3 keeps the previous content as an older version")
        XCTAssertEqual(try server().listKeys(bucket), [key], "no history copy in a versioned bucket")
    }

    func testUnversionedBucketCopiesThePreviousObjectToItsHistoryKeyFirst() async throws {
        let (store, bucket) = try makeStore(versioned: false)
        let old = try request(key, "forecast v1")
        _ = try await store.put(old)
        let stored = try await store.put(request(key, "forecast v2 (revised)"))
        let history = "sourcing/_history/g/year=2025/month=01/day=20/cts_20250120.\(old.contentSHA256.prefix(12)).json.gz"
        XCTAssertEqual(StorageKey.history(of: key, previousSHA256: old.contentSHA256), history)
        XCTAssertEqual(stored.replaced, .historyCopy(key: history, location: "s3://\(bucket)/\(history)", previousSHA256: old.contentSHA256))
        await XCTAssertEqualAsync(try await store.get(key: history), old.body, "the previous object, byte for byte")
        let body = try await XCTUnwrapAsync(try await store.get(key: key))
        XCTAssertEqual(try Gzip.decompress(body), Data("forecast v2 (revised)".utf8))
        XCTAssertEqual(Set(try server().listKeys(bucket)), [key, history])

        // The same revision again is an idempotent success: no further copy.
        let again = try await store.put(request(key, "forecast v2 (revised)"))
        XCTAssertNil(again.replaced)
        XCTAssertEqual(Set(try server().listKeys(bucket)), [key, history])
    }

    func testWithoutReplaceDifferentContentIsStillRefused() async throws {
        let (store, _) = try makeStore(versioned: false)
        let old = try request(key, "one")
        _ = try await store.put(old)
        await XCTAssertThrowsErrorAsync(try await store.put(request(key, "two", replace: false))) { error in
            XCTAssertEqual(error as? ObjectStoreError, .keyTaken(key: key, existingSHA256: old.contentSHA256))
        }
    }

    func testObjectWithoutHashMetadataIsHashedToRecogniseIdenticalContent() async throws {
        for versioned in [true, false] {
            let (store, bucket) = try makeStore(versioned: versioned)
            // As the Python collectors write it: gzip at its own level, no x-amz-meta-content-sha256.
            let raw = Data("{\"python\": \"wrote this\"}".utf8)
            let pythonBody = try Gzip.compress(raw, level: 1)
            try await rawPut(bucket: bucket, key: key, body: pythonBody)

            let same = try await store.put(ObjectPutRequest(key: key, body: try Gzip.compress(raw, level: 9),
                                                            contentSHA256: ContentHash.sha256Hex(raw), replaceDifferent: true))
            XCTAssertNil(same.replaced, "versioned \(versioned): identical content, nothing replaced")
            await XCTAssertEqualAsync(try await store.get(key: key), pythonBody, "versioned \(versioned): the Python object is untouched")
            XCTAssertEqual(try server().listKeys(bucket), [key])
            if versioned { XCTAssertEqual(try server().versionCount(bucket, key: key), 1) }

            let different = try await store.put(request(key, "{\"revised\": true}"))
            if versioned {
                XCTAssertEqual(try server().versionCount(bucket, key: key), 2)
            } else {
                let history = StorageKey.history(of: key, previousSHA256: ContentHash.sha256Hex(raw))
                XCTAssertEqual(different.replaced, .historyCopy(key: history, location: "s3://\(bucket)/\(history)", previousSHA256: ContentHash.sha256Hex(raw)),
                               "the history key names the previous content's hash")
                await XCTAssertEqualAsync(try await store.get(key: history), pythonBody)
            }
        }
    }

    /// A plain signed PUT without metadata.
    private func rawPut(bucket: String, key: String, body: Data) async throws {
        let signing = AWSSigning(region: "us-east-1", service: "s3", accessKeyID: "AKIAX", secretAccessKey: "x")
        let response = try await CurlHTTPClient().send(HTTPRequest(method: "PUT", url: "\(try server().endpoint)/\(bucket)/\(S3Configuration.encodeKeyPath(key))",
                                                                   headers: [("Content-Type", "binary/octet-stream")],
                                                                   body: body, awsSigning: signing))
        XCTAssertEqual(response.status, 200)
    }
}
