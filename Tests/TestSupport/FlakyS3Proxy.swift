import Foundation

/// A small Python HTTP proxy in front of an S3 endpoint (moto) that misbehaves on object uploads:
/// the first `failPuts` PUTs of an object get `503 SlowDown` without reaching S3, and every PUT
/// that does go through is held `putDelay` seconds first. Everything else is passed through.
/// Moto cannot inject faults itself; this gives the scraper real 5xx and slow answers on loopback.
///
/// ```swift
/// let proxy = try FlakyS3Proxy(upstream: moto.endpoint, failPuts: 2)
/// defer { proxy.stop() }
/// // point the AWS profile's endpoint_url at proxy.endpoint
/// XCTAssertEqual(proxy.failedPuts, 2)
/// ```
/// Sendable: every stored property is a `let` of a Sendable type (the child process wrapper is).
public final class FlakyS3Proxy: Sendable {
    public let port: Int
    /// `http://127.0.0.1:PORT`
    public let endpoint: String
    private let child: ChildProcess
    private let directory: URL

    public init(upstream: String, failPuts: Int = 0, putDelay: Double = 0) throws {
        guard let python = TestPaths.which("python3") else { throw FlakyS3ProxyError.pythonMissing }
        directory = TestPaths.temporaryDirectory("s3proxy")
        let script = directory.appendingPathComponent("proxy.py")
        try Self.script.write(to: script, atomically: true, encoding: .utf8)
        child = try ChildProcess(python, [script.path, upstream, String(failPuts), String(putDelay),
                                          directory.appendingPathComponent("failed").path])
        guard let found = child.listeningPort(announcedAs: "listening ") else {
            child.stop()
            throw FlakyS3ProxyError.didNotStart(child.stderr)
        }
        port = found
        endpoint = "http://127.0.0.1:\(found)"
    }

    /// How many PUTs were answered with 503 so far.
    public var failedPuts: Int {
        (try? String(contentsOf: directory.appendingPathComponent("failed"), encoding: .utf8)).map { $0.count } ?? 0
    }

    public func stop() { child.stop() }

    deinit { child.stop() }

    static let script = #"""
import http.client, http.server, socketserver, sys, threading, time, urllib.parse
upstream = urllib.parse.urlsplit(sys.argv[1])
remaining = [int(sys.argv[2])]
delay = float(sys.argv[3])
failed_log = sys.argv[4]
lock = threading.Lock()

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args): pass
    def relay(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        is_put = self.command == "PUT" and self.path.count("/") >= 2
        if is_put:
            with lock:
                fail = remaining[0] > 0
                if fail: remaining[0] -= 1
            if fail:
                with open(failed_log, "a") as f: f.write("x")
                page = b"<?xml version=\"1.0\"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"
                self.send_response(503); self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(page))); self.end_headers(); self.wfile.write(page); return
            if delay > 0: time.sleep(delay)
        conn = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        headers["Host"] = self.headers.get("Host", "")
        conn.request(self.command, self.path, body=body, headers=headers)
        resp = conn.getresponse(); data = resp.read()
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in ("transfer-encoding", "connection", "content-length", "server", "date"): self.send_header(k, v)
        self.send_header("Content-Length", str(len(data))); self.end_headers()
        if self.command != "HEAD": self.wfile.write(data)
    do_GET = do_PUT = do_HEAD = do_POST = do_DELETE = relay

class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
server = Server(("127.0.0.1", 0), Handler)
print("listening %d" % server.server_address[1], flush=True)
server.serve_forever()
"""#
}

/// Why the proxy could not start.
public enum FlakyS3ProxyError: Error, CustomStringConvertible {
    case pythonMissing
    case didNotStart(String)

    public var description: String {
        switch self {
        case .pythonMissing: return "python3 is not on PATH; the flaky S3 proxy needs it"
        case .didNotStart(let stderr): return "the flaky S3 proxy did not start: \(stderr)"
        }
    }
}
