import CollectionFramework
import Crypto
import Foundation
import TestSupport
import XCTest

/// Signing checked by servers that verify SigV4: moto with IAM checks on, and a botocore-based reference.
final class S3SignatureTests: XCTestCase {
    static let marker = "MARKER-SECRET-7f3c9e51d2"
    static let tokenMarker = "MARKER-TOKEN-2b8d4a60e9"

    private func request(_ key: String, _ text: String) -> ObjectPutRequest {
        let data = Data(text.utf8)
        return ObjectPutRequest(key: key, body: data, contentSHA256: SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined())
    }

    private func store(_ endpoint: String, bucket: String, key: String, secret: String, token: String? = nil) throws -> S3ObjectStore {
        let credentials = AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: token,
                                         source: .profile(name: "sigtest", file: "/tmp/credentials"))
        return S3ObjectStore(configuration: try S3Configuration(bucket: bucket, endpointURL: endpoint, credentials: credentials,
                                                                profileName: "sigtest"),
                             pause: { _ in })
    }

    func testMotoWithSignatureChecksAcceptsRightSecretAndRejectsWrongOneWithoutLeakingIt() async throws {
        let moto = try MotoServer()
        defer { moto.stop() }
        let user = try moto.createUser(named: "scraper")
        try moto.createBucket("signed-bucket")
        try moto.enableSignatureChecks()

        let good = try store(moto.endpoint, bucket: "signed-bucket", key: user.accessKeyID, secret: user.secretAccessKey)
        await XCTAssertNoThrowAsync(try await good.checkReachable())
        let key = "sourcing/miso/day_20/cts_20250120.json.gz"
        let put = request(key, "signed body")
        let stored = try await good.put(put)
        XCTAssertFalse(stored.versionID?.isEmpty ?? true)
        await XCTAssertEqualAsync(try await good.get(key: key), put.body)
        await XCTAssertEqualAsync(try await good.put(put), stored, "identical re-put (412 then HEAD) also passes signature checks")
        await XCTAssertThrowsErrorAsync(try await good.put(request(key, "other"))) { error in
            XCTAssertEqual(error as? ObjectStoreError, .keyTaken(key: key, existingSHA256: put.contentSHA256))
        }

        let bad = try store(moto.endpoint, bucket: "signed-bucket", key: user.accessKeyID, secret: Self.marker)
        var messages: [String] = []
        await XCTAssertThrowsErrorAsync(try await bad.checkReachable()) { messages.append("\($0)") }
        await XCTAssertThrowsErrorAsync(try await bad.put(request("sourcing/other.json.gz", "x"))) { error in
            messages.append("\(error)")
            guard case .failed? = error as? ObjectStoreError else { return XCTFail("403 must not be transient: \(error)") }
        }
        await XCTAssertThrowsErrorAsync(try await bad.get(key: key)) { messages.append("\($0)") }
        XCTAssertEqual(messages.count, 3)
        for message in messages {
            XCTAssertTrue(message.contains("rejected the request signature for access key \(user.accessKeyID) (profile sigtest)"), message)
            XCTAssertTrue(message.contains("check AWS_SECRET_ACCESS_KEY"), message)
            XCTAssertFalse(message.contains(Self.marker), message)
        }

        let unknown = try store(moto.endpoint, bucket: "signed-bucket", key: "AKIAUNKNOWNKEY000000", secret: Self.marker)
        await XCTAssertThrowsErrorAsync(try await unknown.checkReachable()) { error in
            XCTAssertTrue("\(error)".contains("does not know access key AKIAUNKNOWNKEY000000"), "\(error)")
            XCTAssertFalse("\(error)".contains(Self.marker))
        }
    }

    /// Known moto 5.2.1 quirk, pinned so we notice when it changes: moto verifies against werkzeug's
    /// re-quoted URL, which turns our (correct, as AWS expects) `%3D` back into `=`, so a key with `=` fails
    /// moto's signature check; the same goes for a `%2F` in a listing's prefix. The reference tests below show
    /// these requests are what S3's rules require.
    func testMotoSignatureChecksMisreadEqualsSignInKeys() async throws {
        let moto = try MotoServer()
        defer { moto.stop() }
        let user = try moto.createUser(named: "scraper")
        try moto.createBucket("signed-bucket")
        try moto.enableSignatureChecks()
        let good = try store(moto.endpoint, bucket: "signed-bucket", key: user.accessKeyID, secret: user.secretAccessKey)
        await XCTAssertThrowsErrorAsync(try await good.put(request("sourcing/x/year=2025/month=01/day=20/a.json.gz", "x"))) { error in
            XCTAssertTrue("\(error)".contains("rejected the request signature"),
                          "moto now accepts %3D-encoded keys: make this test assert success instead (\(error))")
        }
        await XCTAssertThrowsErrorAsync(try await good.keys(withPrefix: "sourcing/x/")) { error in
            XCTAssertTrue("\(error)".contains("rejected the request signature"),
                          "moto now accepts a %2F-encoded prefix: make this test assert success instead (\(error))")
        }
    }

    func testPartitionedKeyIsSignedAsS3CanonicalisesIt() async throws {
        let secret = "reference-secret"
        let server = try S3ReferenceServer(secret: secret)
        let store = try store(server.endpoint, bucket: "ref", key: "AKIAREFERENCE0000000", secret: secret,
                              token: Self.tokenMarker)
        let key = "sourcing/miso_cts/year=2025/month=01/day=20/cts 20250120+x.json.gz"
        let put = request(key, "partitioned")

        let stored: StoredObject
        do { stored = try await store.put(put) } catch { XCTFail("\(error)\n\(server.log)"); throw error }
        await XCTAssertEqualAsync(try await store.get(key: key), put.body)
        await XCTAssertEqualAsync(try await store.put(put), stored, "idempotent re-put")
        await XCTAssertNoThrowAsync(try await store.checkReachable())

        let stats = try server.stats()
        XCTAssertEqual(stats.signature_failures, 0, "every request verified by botocore's S3 signer")
        XCTAssertTrue(stats.paths.contains("PUT /ref/sourcing/miso_cts/year%3D2025/month%3D01/day%3D20/cts%2020250120%2Bx.json.gz"),
                      "\(stats.paths)")

        let wrong = try self.store(server.endpoint, bucket: "ref", key: "AKIAREFERENCE0000000", secret: Self.marker,
                                   token: Self.tokenMarker)
        await XCTAssertThrowsErrorAsync(try await wrong.put(request(key + ".2", "x"))) { error in
            XCTAssertTrue("\(error)".contains("rejected the request signature"), "\(error)")
            XCTAssertFalse("\(error)".contains(Self.marker))
            XCTAssertFalse("\(error)".contains(Self.tokenMarker))
        }
        XCTAssertEqual(try server.stats().signature_failures, 1)
    }

    /// ListObjectsV2 as S3 verifies it: the prefix's `/` and `=` must be signed percent-encoded (libcurl
    /// 7.88 signs the query as written, and moto accepts them unencoded, so only this server catches it).
    func testListingIsSignedAsS3CanonicalisesItAndPagesThroughStartAfter() async throws {
        let secret = "reference-secret"
        let server = try S3ReferenceServer(secret: secret)
        let store = try store(server.endpoint, bucket: "ref", key: "AKIAREFERENCE0000000", secret: secret)
        let folder = "sourcing/miso_cts/year=2025/month=01/day=20/"
        let keys = (1...5).map { folder + "cts_2025012\($0)+x.json.gz" }
        for key in keys { _ = try await store.put(request(key, key)) }
        _ = try await store.put(request("sourcing/miso_cts/year=2025/month=01/day=21/other.json.gz", "other"))

        let listed: [String]
        do { listed = try await store.keys(withPrefix: folder) } catch { XCTFail("\(error)\n\(server.log)"); throw error }
        XCTAssertEqual(listed, keys.sorted(), "three pages of two keys, nothing from the next day")
        XCTAssertEqual(try server.stats().signature_failures, 0, server.log)
        let lists = try server.stats().paths.filter { $0.contains("list-type=2") }
        XCTAssertEqual(lists.count, 3, "\(lists)")
        XCTAssertTrue(lists.allSatisfy { $0.contains("prefix=sourcing%2Fmiso_cts%2Fyear%3D2025%2F") }, "\(lists)")
    }
}
