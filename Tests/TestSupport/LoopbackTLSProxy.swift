import Foundation

/// An https:// front for a loopback http:// server: `openssl` makes a private CA and a certificate
/// for 127.0.0.1 signed by it, and a small Python TLS server relays GETs to `upstream`.
/// Tests use it to check that certificate verification is on, and that a CA bundle makes it pass.
///
/// ```swift
/// let tls = try LoopbackTLSProxy(upstream: sim.baseURL)
/// defer { tls.stop() }
/// let url = tls.endpoint + MisoSimulatorProcess.ctsPath   // https://127.0.0.1:PORT/...
/// // unverified: fails; with http.ca_bundle = tls.caPath: works
/// ```
/// Sendable: every stored property is a `let` of a Sendable type (the child process wrapper is).
public final class LoopbackTLSProxy: Sendable {
    /// `https://127.0.0.1:PORT`
    public let endpoint: String
    /// PEM file of the private CA that signed the server certificate.
    public let caPath: String
    private let child: ChildProcess

    public init(upstream: String) throws {
        guard let python = TestPaths.which("python3") else { throw LoopbackTLSProxyError.missing("python3") }
        guard let openssl = TestPaths.which("openssl") else { throw LoopbackTLSProxyError.missing("openssl") }
        let directory = TestPaths.temporaryDirectory("tls")
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        let steps: [[String]] = [
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", path("ca.key"), "-out", path("ca.pem"),
             "-days", "2", "-subj", "/CN=scraper test CA"],
            ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", path("server.key"), "-out", path("server.csr"), "-subj", "/CN=127.0.0.1"],
            ["x509", "-req", "-in", path("server.csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"), "-CAcreateserial",
             "-out", path("server.pem"), "-days", "2", "-extfile", path("san.ext")],
        ]
        try "subjectAltName = IP:127.0.0.1\nbasicConstraints = CA:FALSE\n".write(toFile: path("san.ext"), atomically: true, encoding: .utf8)
        for step in steps {
            let result = try runCommand(openssl, step, timeout: 60)
            guard result.status == 0 else { throw LoopbackTLSProxyError.openssl(step.joined(separator: " "), result.stderr) }
        }
        try Self.script.write(toFile: path("tls.py"), atomically: true, encoding: .utf8)
        child = try ChildProcess(python, [path("tls.py"), upstream, path("server.pem"), path("server.key")])
        guard let port = child.listeningPort(announcedAs: "listening ") else {
            child.stop()
            throw LoopbackTLSProxyError.didNotStart(child.stderr)
        }
        endpoint = "https://127.0.0.1:\(port)"
        caPath = path("ca.pem")
    }

    public func stop() { child.stop() }

    deinit { child.stop() }

    static let script = #"""
import http.server, socketserver, ssl, sys, urllib.request
upstream, cert, key = sys.argv[1], sys.argv[2], sys.argv[3]

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args): pass
    def do_GET(self):
        try:
            with urllib.request.urlopen(upstream + self.path, timeout=30) as resp:
                status, body, ctype = resp.status, resp.read(), resp.headers.get("Content-Type", "application/json")
        except urllib.error.HTTPError as e:
            status, body, ctype = e.code, e.read(), e.headers.get("Content-Type", "application/json")
        self.send_response(status)
        self.send_header("Content-Type", ctype); self.send_header("Content-Length", str(len(body))); self.end_headers()
        self.wfile.write(body)

class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    def get_request(self):
        sock, addr = super().get_request()
        return context.wrap_socket(sock, server_side=True), addr
    def handle_error(self, request, client_address): pass

context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
server = Server(("127.0.0.1", 0), Handler)
print("listening %d" % server.server_address[1], flush=True)
server.serve_forever()
"""#
}

/// Why the TLS proxy could not start.
public enum LoopbackTLSProxyError: Error, CustomStringConvertible {
    case missing(String)
    case openssl(String, String)
    case didNotStart(String)

    public var description: String {
        switch self {
        case .missing(let tool): return "\(tool) is not on PATH; the TLS test server needs it"
        case .openssl(let step, let stderr): return "openssl \(step) failed: \(stderr)"
        case .didNotStart(let stderr): return "the TLS test server did not start: \(stderr)"
        }
    }
}
