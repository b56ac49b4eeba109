import CollectionFramework
import Crypto
import Foundation
import Synchronization
import TestSupport
import XCTest

/// Backoff and retry of transient failures, against a real loopback server that fails on purpose.
final class S3RetryTests: XCTestCase {
    /// Records every backoff instead of sleeping; jitter picks the top of each window.
    final class SleepLog: Sendable {
        private let values = Mutex<[Double]>([])
        func record(_ seconds: Double) { values.withLock { $0.append(seconds) } }
        var delays: [Double] { values.withLock { $0 } }
    }

    private let secret = "retry-secret"

    private func store(_ endpoint: String, log: SleepLog) throws -> S3ObjectStore {
        let policy = RetryPolicy(maxAttempts: 4, baseDelay: 0.2, maxDelay: 5, maxRetryAfter: 5)
        let credentials = AWSCredentials(accessKeyID: "AKIARETRY00000000000", secretAccessKey: secret, source: .environment)
        return S3ObjectStore(configuration: try S3Configuration(bucket: "ref", endpointURL: endpoint, credentials: credentials,
                                                                retry: policy),
                             pause: { log.record($0) }, random: { $0.upperBound })
    }

    private func request(_ text: String) -> ObjectPutRequest {
        let body = Data(text.utf8)
        return ObjectPutRequest(key: "sourcing/x/year=2025/a.json.gz", body: body,
                                contentSHA256: SHA256.hash(data: body).map { String(format: "%02x", $0) }.joined())
    }

    func testSlowDownTwiceThenSuccessRetriesWithGrowingBackoff() async throws {
        let server = try S3ReferenceServer(secret: secret, failFirst: 2, failure: .slowDown)
        let log = SleepLog()
        let put = request("retried")
        let stored = try await store(server.endpoint, log: log).put(put)
        XCTAssertEqual(stored.etag, Insecure.MD5.hash(data: put.body).map { String(format: "%02x", $0) }.joined())
        XCTAssertEqual(try server.stats().requests, 3)
        XCTAssertEqual(log.delays, [0.2, 0.4])
    }

    func testDroppedConnectionIsRetried() async throws {
        let server = try S3ReferenceServer(secret: secret, failFirst: 1, failure: .dropConnection)
        let log = SleepLog()
        await XCTAssertNoThrowAsync(try await store(server.endpoint, log: log).put(request("after reset")))
        XCTAssertEqual(log.delays.count, 1)
    }

    func testPersistentServerErrorGivesUpAfterFourAttemptsAsTransient() async throws {
        let server = try S3ReferenceServer(secret: secret, failFirst: 100, failure: .internalError)
        let log = SleepLog()
        await XCTAssertThrowsErrorAsync(try await store(server.endpoint, log: log).put(request("never"))) { error in
            guard case .transient(let message)? = error as? ObjectStoreError else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("HTTP 500 InternalError after 4 attempts"), message)
        }
        XCTAssertEqual(try server.stats().requests, 4)
        XCTAssertEqual(log.delays, [0.2, 0.4, 0.8])
    }

    func testConnectionRefusedIsTransientAfterRetries() async throws {
        let port = Loopback.freePort()
        let log = SleepLog()
        await XCTAssertThrowsErrorAsync(try await store("http://127.0.0.1:\(port)", log: log).put(request("nowhere"))) { error in
            guard case .transient(let message)? = error as? ObjectStoreError else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("could not reach S3 at http://127.0.0.1:\(port) after 4 attempts"), message)
        }
        XCTAssertEqual(log.delays.count, 3)
    }

    func testClientErrorIsNotRetried() async throws {
        let server = try S3ReferenceServer(secret: "a-different-secret")
        let log = SleepLog()
        await XCTAssertThrowsErrorAsync(try await store(server.endpoint, log: log).put(request("denied"))) { error in
            guard case .failed? = error as? ObjectStoreError else { return XCTFail("4xx must be permanent: \(error)") }
        }
        XCTAssertEqual(try server.stats().requests, 1)
        XCTAssertEqual(log.delays, [])
    }

    func testBackoffIsCappedAndHonoursRetryAfter() async {
        let policy = RetryPolicy(maxAttempts: 10, baseDelay: 0.2, maxDelay: 5, maxRetryAfter: 5)
        let top: (ClosedRange<Double>) -> Double = { $0.upperBound }
        XCTAssertEqual(policy.delay(afterAttempt: 1, retryAfterSeconds: nil, random: top), 0.2, accuracy: 1e-9)
        XCTAssertEqual(policy.delay(afterAttempt: 3, retryAfterSeconds: nil, random: top), 0.8, accuracy: 1e-9)
        XCTAssertEqual(policy.delay(afterAttempt: 9, retryAfterSeconds: nil, random: top), 5, accuracy: 1e-9)
        XCTAssertEqual(policy.delay(afterAttempt: 1, retryAfterSeconds: 2, random: top), 2, accuracy: 1e-9)
        XCTAssertEqual(policy.delay(afterAttempt: 1, retryAfterSeconds: 60, random: top), 5, accuracy: 1e-9)
        // The store's default is the framework's S3 preset.
        let credentials = AWSCredentials(accessKeyID: "AKIARETRY00000000000", secretAccessKey: secret, source: .environment)
        XCTAssertEqual(try S3Configuration(bucket: "ref", credentials: credentials).retry, RetryPolicy.s3)
        XCTAssertEqual(RetryPolicy.s3, policy.with(maxAttempts: 4))
        let jittered = RetryPolicy.s3
        for attempt in 1...6 {
            let delay = jittered.delay(afterAttempt: attempt, retryAfterSeconds: nil)
            XCTAssertTrue(delay >= 0 && delay <= min(5, 0.2 * pow(2, Double(attempt - 1))), "\(delay)")
        }
    }
}

private extension RetryPolicy {
    func with(maxAttempts: Int) -> RetryPolicy {
        var copy = self
        copy.maxAttempts = maxAttempts
        return copy
    }
}
