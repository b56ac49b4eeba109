import CollectionFramework
import Foundation

/// A small Python HTTP proxy in front of the simulator that counts requests in flight: how many it holds
/// at once (from the request's arrival to the end of its relayed response) and the most ever at once.
/// It shows a concurrent backfill's overlap at the server side, which the simulator's stats do not report.
///
/// ```swift
/// let proxy = try InFlightCountingProxy(upstream: sim.baseURL)
/// // point --api-url at proxy.endpoint + MisoSimulatorProcess.ctsPath
/// XCTAssertEqual(try proxy.stats().maxInFlight, 4)
/// ```
public final class InFlightCountingProxy: @unchecked Sendable {
    public let port: Int
    /// `http://127.0.0.1:PORT`
    public let endpoint: String
    private let child: ChildProcess

    public struct Stats: Decodable, Sendable {
        public var requests: Int
        public var inFlight: Int
        public var maxInFlight: Int

        enum CodingKeys: String, CodingKey {
            case requests, inFlight = "in_flight", maxInFlight = "max_in_flight"
        }
    }

    public init(upstream: String) throws {
        child = try PythonScript.start(Self.script, [upstream])
        guard let found = child.listeningPort(announcedAs: "listening ") else {
            child.stop()
            throw FlakyS3ProxyError.didNotStart(child.stderr)
        }
        port = found
        endpoint = "http://127.0.0.1:\(found)"
    }

    /// The counts so far (`GET /_proxy/stats`, not itself counted).
    public func stats() throws -> Stats {
        let response = try CurlHTTPClient().sendBlocking(HTTPRequest(url: endpoint + "/_proxy/stats", timeout: 10))
        return try JSONDecoder().decode(Stats.self, from: response.body)
    }

    public func stop() { child.stop() }

    deinit { child.stop() }

    static let script = #"""
import http.client, http.server, json, socketserver, sys, threading, urllib.parse
upstream = urllib.parse.urlsplit(sys.argv[1])
lock = threading.Lock()
counts = {"requests": 0, "in_flight": 0, "max_in_flight": 0}

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args): pass
    def relay(self):
        if self.path == "/_proxy/stats":
            with lock: data = json.dumps(counts).encode()
            self.send_response(200); self.send_header("Content-Length", str(len(data))); self.end_headers()
            self.wfile.write(data); return
        with lock:
            counts["requests"] += 1; counts["in_flight"] += 1
            counts["max_in_flight"] = max(counts["max_in_flight"], counts["in_flight"])
        try:
            conn = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=120)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
            conn.request(self.command, self.path, headers=headers)
            resp = conn.getresponse(); data = resp.read()
            self.send_response(resp.status)
            for k, v in resp.getheaders():
                if k.lower() not in ("transfer-encoding", "connection", "content-length", "server", "date"): self.send_header(k, v)
            self.send_header("Content-Length", str(len(data))); self.end_headers()
            if self.command != "HEAD": self.wfile.write(data)
        finally:
            with lock: counts["in_flight"] -= 1
    do_GET = do_HEAD = relay

class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
server = Server(("127.0.0.1", 0), Handler)
print("listening %d" % server.server_address[1], flush=True)
server.serve_forever()
"""#
}
