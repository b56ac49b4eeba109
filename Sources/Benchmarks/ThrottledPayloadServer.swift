import Foundation
import LoopbackHTTP

/// One payload served on a free loopback port at a fixed rate: a stand-in for a remote API behind
/// a link of known speed. `GET /payload` answers 200 with a truthful `Content-Length` and a body
/// throttled by the server (``LoopbackHTTPThrottle``: 64 KiB pieces, each sent once the rate
/// allows it, on an absolute schedule). Any other path is 404.
///
/// ```swift
/// let server = ThrottledPayloadServer(payload: body, bytesPerSecond: 50e6)
/// let url = try server.start()          // http://127.0.0.1:<port>/payload
/// // …
/// await server.stop()
/// ```
final class ThrottledPayloadServer: Sendable {
    let payload: Data
    let bytesPerSecond: Int
    private let server: LoopbackHTTPServer

    init(payload: Data, bytesPerSecond: Double) {
        self.payload = payload
        let rate = Int(max(1, bytesPerSecond.rounded()))
        self.bytesPerSecond = rate
        server = LoopbackHTTPServer(host: "127.0.0.1", port: 0) { request in
            guard request.path == "/payload" else { return .text("not found\n", status: 404) }
            return LoopbackHTTPResponse.json(payload).throttled(LoopbackHTTPThrottle(bytesPerSecond: rate))
        }
    }

    /// Starts listening; returns the payload's URL.
    func start() throws -> String {
        let port = try server.start()
        return "http://127.0.0.1:\(port)/payload"
    }

    /// Stops the server and waits until its port is released.
    func stop() async {
        await server.stop()
    }
}
