import CollectionFramework
import Foundation
import LoopbackHTTP
import Synchronization
import XCTest

/// Which redirects the shared HTTP client follows: plain GETs do; signed requests never do, so a
/// signature and its headers cannot travel to another host.
final class RedirectPolicyTests: XCTestCase {
    /// A loopback server that counts its requests and answers each with `answer`.
    private func server(_ answer: @escaping @Sendable (LoopbackHTTPRequest) -> LoopbackHTTPResponse) throws -> (LoopbackHTTPServer, Hits) {
        let hits = Hits()
        let server = LoopbackHTTPServer(host: "127.0.0.1", port: 0) { request in
            hits.add(request)
            return answer(request)
        }
        _ = try server.start()
        addTeardownBlock { await server.stop() }
        return (server, hits)
    }

    private func redirecting(to target: LoopbackHTTPServer, status: Int) throws -> (LoopbackHTTPServer, Hits) {
        let location = "http://127.0.0.1:\(target.port!)/final"
        return try server { _ in LoopbackHTTPResponse(status: status, headers: [("Location", location)], data: Data()) }
    }

    func testAPlainGETFollowsARedirect() async throws {
        let (target, landed) = try server { _ in .text("arrived") }
        let (redirector, _) = try redirecting(to: target, status: 302)
        let response = try await CurlHTTPClient().send(HTTPRequest(url: "http://127.0.0.1:\(redirector.port!)/start"))
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(String(decoding: response.body, as: UTF8.self), "arrived")
        XCTAssertEqual(landed.count, 1)
    }

    func testASignedRequestIsNeverSentOnByARedirect() async throws {
        let (target, landed) = try server { _ in .text("should not be reached") }
        let (redirector, first) = try redirecting(to: target, status: 307)
        let signing = AWSSigning(region: "us-east-1", service: "s3", accessKeyID: "AKIAREDIRECT", secretAccessKey: "secret-not-to-travel")
        let response = try await CurlHTTPClient().send(HTTPRequest(url: "http://127.0.0.1:\(redirector.port!)/bucket/key", awsSigning: signing))
        XCTAssertEqual(response.status, 307, "the redirect comes back to the caller instead of being followed")
        XCTAssertEqual(first.count, 1)
        XCTAssertEqual(landed.count, 0, "the signed request (and its Authorization header) never reached the other host")
        XCTAssertTrue(first.authorizationSeen, "the request was signed (so the test can fail)")
    }
}

/// Requests a test server saw.
private final class Hits: Sendable {
    private let state = Mutex((count: 0, authorization: false))
    func add(_ request: LoopbackHTTPRequest) {
        let signed = request.headers.contains { $0.name.lowercased() == "authorization" }
        state.withLock { $0.count += 1; $0.authorization = $0.authorization || signed }
    }
    var count: Int { state.withLock { $0.count } }
    var authorizationSeen: Bool { state.withLock { $0.authorization } }
}
