import CollectionFramework
import Foundation
import TestSupport
import XCTest

/// Encrypted and locked-down buckets, against a real moto_server with its IAM checks on: credentials
/// allowed only `s3:PutObject` can store (the start-up check warns instead of failing), and an SSE-KMS
/// bucket (moto behind ``LockedDownBucketProxy``, whose ETags are not MD5s) takes uploads without the store
/// calling them corrupted. Keys here have no `=`: moto's signature checks refuse those (see S3ReferenceServer).
final class S3LeastPrivilegeTests: XCTestCase {
    var moto: MotoServer!
    let bucket = "locked-down"

    override func setUpWithError() throws {
        moto = try MotoServer()
        try moto.createBucket(bucket, versioned: true)
        try moto.createBucket("\(bucket)-plain", versioned: false)
    }

    override func tearDown() {
        moto?.stop()
    }

    private func store(_ keys: (accessKeyID: String, secretAccessKey: String), bucket: String? = nil, endpoint: String? = nil,
                       encryption: S3ServerSideEncryption? = nil) throws -> S3ObjectStore {
        let credentials = AWSCredentials(accessKeyID: keys.accessKeyID, secretAccessKey: keys.secretAccessKey, source: .environment)
        var configuration = try S3Configuration(bucket: bucket ?? self.bucket, endpointURL: endpoint ?? moto.endpoint, credentials: credentials)
        configuration.serverSideEncryption = encryption
        return S3ObjectStore(configuration: configuration, pause: { _ in })
    }

    private func request(_ key: String, _ text: String, replace: Bool = false) throws -> ObjectPutRequest {
        let raw = Data(text.utf8)
        return ObjectPutRequest(key: key, body: try Gzip.compress(raw), contentSHA256: ContentHash.sha256Hex(raw),
                                contentType: "application/gzip", replaceDifferent: replace)
    }

    func testPutObjectAloneIsEnoughAndTheStartUpCheckOnlyWarns() async throws {
        let writer = try moto.createUser(named: "writer", actions: ["s3:PutObject"])
        let intruder = (accessKeyID: writer.accessKeyID, secretAccessKey: "not-the-secret")
        try moto.enableSignatureChecks()
        let store = try store(writer)

        let warnings = try await store.prepare()
        XCTAssertEqual(warnings.count, 2, "\(warnings)")
        XCTAssertTrue(warnings.contains { $0.contains("grant s3:ListBucket") }, "\(warnings)")
        XCTAssertTrue(warnings.contains { $0.contains("grant s3:GetBucketVersioning") && $0.contains("treating it as unversioned") }, "\(warnings)")
        await XCTAssertNoThrowAsync(try await store.checkReachable(), "/readyz stays ready without s3:ListBucket")

        let stored = try await store.put(request("sourcing/g/day_20/a.json.gz", "first"))
        XCTAssertNotNil(stored.etag)

        // A wrong secret is still fatal at start: that is no missing permission.
        await XCTAssertThrowsErrorAsync(try await self.store(intruder).prepare()) { error in
            XCTAssertTrue("\(error)".contains("rejected the request signature"), "\(error)")
        }
    }

    func testPutObjectAloneRefusesToReplaceWhatItCannotKeep() async throws {
        let writer = try moto.createUser(named: "writer", actions: ["s3:PutObject"])
        try moto.enableSignatureChecks()
        let store = try store(writer, bucket: "\(bucket)-plain")
        let key = "sourcing/g/day_20/cts_20250120.json.gz"
        _ = try await store.put(request(key, "v1"))
        await XCTAssertThrowsErrorAsync(try await store.put(request(key, "v2", replace: true))) { error in
            XCTAssertTrue("\(error)".contains("not replacing \(key)") && "\(error)".contains("grant s3:GetObject"), "\(error)")
        }
    }

    func testGetBucketVersioningLetsAVersionedBucketTakeNewerContentWithoutGetObject() async throws {
        let writer = try moto.createUser(named: "writer", actions: ["s3:PutObject", "s3:GetBucketVersioning"])
        try moto.enableSignatureChecks()
        let store = try store(writer)
        let warnings = try await store.prepare()
        XCTAssertEqual(warnings.count, 1, "only the bucket check is skipped: \(warnings)")
        let key = "sourcing/g/day_20/cts_20250120.json.gz"
        let first = try await store.put(request(key, "v1"))
        let second = try await store.put(request(key, "v2", replace: true))
        XCTAssertEqual(second.replaced, .olderVersion(versionID: nil, previousSHA256: nil), "the HEAD was refused, so the previous version and hash are unknown")
        XCTAssertNotEqual(second.versionID, first.versionID)
    }

    func testSSEKMSUploadIsStoredAlthoughItsETagIsNotTheMD5() async throws {
        let proxy = try LockedDownBucketProxy(upstream: moto.endpoint, requireKMS: true)
        defer { proxy.stop() }
        let admin = (accessKeyID: MotoServer.setupAccessKeyID, secretAccessKey: MotoServer.setupSecretAccessKey)
        let key = "sourcing/g/day_20/kms.json.gz"

        // Without the header the bucket policy refuses the upload (the proxy plays the policy).
        await XCTAssertThrowsErrorAsync(try await self.store(admin, endpoint: proxy.endpoint).put(request(key, "x"))) { error in
            XCTAssertTrue("\(error)".contains("access denied"), "\(error)")
        }

        let store = try store(admin, endpoint: proxy.endpoint, encryption: .kms(keyID: "alias/scraper-data"))
        let put = try request(key, "encrypted content")
        let stored = try await store.put(put)
        let md5 = ContentHash.md5Hex(put.body)
        XCTAssertEqual(stored.etag, LockedDownBucketProxy.kmsETag(forMD5: md5), "the ETag S3 gave is recorded as it is")
        XCTAssertNotEqual(stored.etag, md5)

        let head = try await CurlHTTPClient().send(HTTPRequest(
            method: "HEAD", url: "\(moto.endpoint)/\(bucket)/\(S3Configuration.encodeKeyPath(key))",
            awsSigning: AWSSigning(region: "us-east-1", service: "s3", accessKeyID: admin.accessKeyID, secretAccessKey: admin.secretAccessKey)))
        XCTAssertEqual(head.headers["x-amz-server-side-encryption"], "aws:kms")
        XCTAssertEqual(head.headers["x-amz-server-side-encryption-aws-kms-key-id"], "alias/scraper-data")

        // Re-storing the same content, and storing newer content, work through the rewritten ETags too.
        let again = try await store.put(put)
        XCTAssertEqual(again.etag, stored.etag)
        let newer = try await store.put(request(key, "revised encrypted content", replace: true))
        XCTAssertEqual(newer.replaced, .olderVersion(versionID: stored.versionID, previousSHA256: put.contentSHA256))
    }
}
