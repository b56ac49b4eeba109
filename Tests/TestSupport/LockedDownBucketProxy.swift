import Foundation

/// A small Python HTTP proxy in front of moto that behaves like a locked-down S3 bucket with SSE-KMS,
/// which moto does not imitate:
/// - every ETag it passes on (PUT, HEAD, GET answers) is replaced by another 32-hex value that is not
///   the body's MD5, as S3 does for SSE-KMS objects;
/// - with `requireKMS`, object PUTs without `x-amz-server-side-encryption: aws:kms` get 403
///   AccessDenied, as from a bucket policy that enforces encryption;
/// - with `putObjectOnly`, every request but an object PUT gets 403 (AccessDenied, with an empty body
///   for HEAD), as for credentials whose IAM policy allows only `s3:PutObject`. (moto's own IAM checks
///   cannot be used with keys containing `=`, see `S3ReferenceServer`.)
/// Everything else is passed through unchanged.
///
/// ```swift
/// let proxy = try LockedDownBucketProxy(upstream: moto.endpoint, requireKMS: true)
/// defer { proxy.stop() }
/// // point the store (or an AWS profile's endpoint_url) at proxy.endpoint
/// ```
/// Sendable: every stored property is a `let` of a Sendable type (the child process wrapper is).
public final class LockedDownBucketProxy: Sendable {
    public let port: Int
    /// `http://127.0.0.1:PORT`
    public let endpoint: String
    private let child: ChildProcess

    public init(upstream: String, requireKMS: Bool = false, putObjectOnly: Bool = false) throws {
        guard let python = TestPaths.which("python3") else { throw FlakyS3ProxyError.pythonMissing }
        let directory = TestPaths.temporaryDirectory("kmsproxy")
        let script = directory.appendingPathComponent("proxy.py")
        try Self.script.write(to: script, atomically: true, encoding: .utf8)
        child = try ChildProcess(python, [script.path, upstream, requireKMS ? "1" : "0", putObjectOnly ? "1" : "0"])
        guard let found = child.listeningPort(announcedAs: "listening ") else {
            child.stop()
            throw FlakyS3ProxyError.didNotStart(child.stderr)
        }
        port = found
        endpoint = "http://127.0.0.1:\(found)"
    }

    /// The ETag this proxy shows for an object whose real (MD5) ETag is `md5Hex`.
    public static func kmsETag(forMD5 md5Hex: String) -> String {
        String(md5Hex.reversed())
    }

    public func stop() { child.stop() }

    deinit { child.stop() }

    static let script = #"""
import http.client, http.server, socketserver, sys, urllib.parse
upstream = urllib.parse.urlsplit(sys.argv[1])
require_kms = sys.argv[2] == "1"
put_object_only = sys.argv[3] == "1"

def kms_etag(value):
    inner = value.strip().strip('"')
    return '"%s"' % inner[::-1]

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args): pass
    def relay(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = urllib.parse.urlsplit(self.path).path
        is_object_put = self.command == "PUT" and path.strip("/").count("/") >= 1
        is_copy = "x-amz-copy-source" in (k.lower() for k in self.headers.keys())
        denied = None
        if put_object_only and not (is_object_put and not is_copy):
            denied = b"Access Denied (the policy allows only s3:PutObject)"
        elif is_object_put and require_kms and self.headers.get("x-amz-server-side-encryption") != "aws:kms":
            denied = b"Access Denied (the bucket policy requires aws:kms)"
        if denied is not None:
            page = b"" if self.command == "HEAD" else b"<?xml version=\"1.0\"?><Error><Code>AccessDenied</Code><Message>" + denied + b"</Message></Error>"
            self.send_response(403); self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(page))); self.end_headers(); self.wfile.write(page); return
        conn = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        headers["Host"] = self.headers.get("Host", "")
        # The caller knows the ETag this proxy showed; moto knows the real one (reversing twice restores it).
        for k in list(headers):
            if k.lower() in ("if-match", "x-amz-copy-source-if-match"):
                headers[k] = kms_etag(headers[k])
        conn.request(self.command, self.path, body=body, headers=headers)
        resp = conn.getresponse(); data = resp.read()
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            lower = k.lower()
            if lower in ("transfer-encoding", "connection", "content-length", "server", "date"): continue
            self.send_header(k, kms_etag(v) if lower == "etag" else v)
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
