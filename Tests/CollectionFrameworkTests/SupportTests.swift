import CollectionFramework
import XCTest

final class SupportTests: XCTestCase {
    func testGzipRoundTripAndDeterminism() throws {
        let data = Data((0..<100_000).map { UInt8($0 % 251) })
        let a = try Gzip.compress(data), b = try Gzip.compress(data)
        XCTAssertEqual(a, b)
        XCTAssertEqual(Array(a.prefix(2)), [0x1f, 0x8b], "gzip magic")
        XCTAssertEqual(try Gzip.decompress(a), data)
        XCTAssertThrowsError(try Gzip.decompress(a.prefix(a.count / 2)))
        XCTAssertThrowsError(try Gzip.decompress(Data("not gzip".utf8)))
        XCTAssertEqual(try Gzip.decompress(try Gzip.compress(Data())), Data())
    }

    func testContentHash() {
        XCTAssertEqual(ContentHash.sha256Hex(Data("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(ContentHash.md5Hex(Data("abc".utf8)), "900150983cd24fb0d6963f7d28e17f72")
    }

    func testCalendarDate() {
        XCTAssertNil(CalendarDate(iso: "2025-02-29"))
        XCTAssertNotNil(CalendarDate(iso: "2024-02-29"))
        XCTAssertNil(CalendarDate(iso: "2025-1-20"))
        XCTAssertNil(CalendarDate(iso: "2025-13-01"))
        XCTAssertNil(CalendarDate(iso: "20250120"))
        let days = CalendarDate(iso: "2024-12-30")!.through(CalendarDate(iso: "2025-01-02")!)
        XCTAssertEqual(days.map(\.description), ["2024-12-30", "2024-12-31", "2025-01-01", "2025-01-02"])
        XCTAssertEqual(CalendarDate(iso: "2025-01-20")!.compact, "20250120")
    }

    func testIdentifierComponentKeepsKeysInsideThePrefix() {
        XCTAssertEqual(IdentifierComponent.sanitize("MISO.PJM.INTERFACE1"), "MISO_PJM_INTERFACE1")
        XCTAssertEqual(IdentifierComponent.sanitize("../../etc"), "______etc")
        XCTAssertFalse(IdentifierComponent.sanitize("a/b\u{0}c\nd").contains { "/\u{0}\n".contains($0) })
        let long = String(repeating: "x", count: 500)
        XCTAssertEqual(IdentifierComponent.sanitize(long).count, IdentifierComponent.maxLength)
        XCTAssertNotEqual(IdentifierComponent.sanitize(long), IdentifierComponent.sanitize(long + "y"))
    }

    func testRetryAfterAndBackoff() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        XCTAssertEqual(RetryPolicy.parseRetryAfter("7", now: now), 7)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        XCTAssertEqual(try XCTUnwrap(RetryPolicy.parseRetryAfter(formatter.string(from: now + 30), now: now)), 30, accuracy: 1)
        XCTAssertNil(RetryPolicy.parseRetryAfter("soon", now: now))
        let policy = RetryPolicy(maxAttempts: 5, baseDelay: 1, maxDelay: 4, maxRetryAfter: 10)
        XCTAssertEqual(policy.delay(afterAttempt: 3, retryAfter: nil, random: { $0.upperBound }), 4)
        XCTAssertEqual(policy.delay(afterAttempt: 2, retryAfter: nil, random: { $0.upperBound }), 2)
        XCTAssertEqual(policy.delay(afterAttempt: 1, retryAfter: nil, random: { $0.lowerBound }), 0, "full jitter reaches zero")
        XCTAssertEqual(policy.delay(afterAttempt: 1, retryAfter: "60", now: now), 10, "Retry-After is capped")
    }

    func testRateLimiterSpacesRequestsPerHost() {
        let limiter = RateLimiter(requestsPerMinute: 600) // one every 0.1 s
        let start = Date()
        for _ in 0..<4 { limiter.acquire(host: "a") }
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(start), 0.29)
        XCTAssertEqual(limiter.acquire(host: "b"), 0, "hosts are limited separately: b's first request waits for nothing")
        let unlimited = RateLimiter(requestsPerMinute: 0)
        XCTAssertEqual(unlimited.acquire(host: "a"), 0)
    }

    func testSecretRedactor() {
        let redactor = SecretRedactor()
        redactor.register("s3cr3t/pass")
        XCTAssertEqual(redactor.redact("user:s3cr3t/pass@host and s3cr3t%2Fpass"), "user:***@host and ***")
        redactor.register("ab")
        XCTAssertEqual(redactor.redact("about"), "about")
    }

    func testJSONValueSerialisationKeepsOrderAndEscapes() {
        let object: JSONObject = ["b": .int(1), "a": .string("x\"y\n"), "c": .array([.null, .bool(true), .double(1.5)])]
        XCTAssertEqual(object.serialized(), "{\"b\": 1, \"a\": \"x\\\"y\\n\", \"c\": [null, true, 1.5]}")
        XCTAssertEqual(try JSONValue.parse(Data("{\"t\": true, \"n\": 3, \"d\": 2.5}".utf8)),
                       .object(["t": .bool(true), "n": .int(3), "d": .double(2.5)]))
    }
}
