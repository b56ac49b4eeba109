import CollectionFramework
import Foundation
import TestSupport

/// A small S3 stand-in (Python's http.server) that verifies SigV4 with botocore's own S3 signer over the
/// *raw* request path, which is how AWS S3 canonicalises it (`=` in a key must be signed as `%3D`).
/// It can also fail the first N requests (503 SlowDown, 500, or a dropped connection) to exercise retries.
///
/// Used where moto cannot help: moto 5.2.1 re-derives the path from werkzeug's decoded URL, so it
/// canonicalises `%3D` back to `=` and rejects correctly signed keys containing `=`.
final class S3ReferenceServer {
    enum Failure: String { case slowDown = "slowdown", internalError = "500", dropConnection = "reset" }

    let port: Int
    private let child: ChildProcess
    var endpoint: String { "http://127.0.0.1:\(port)" }

    init(secret: String, failFirst: Int = 0, failure: Failure = .slowDown) throws {
        guard let python = TestPaths.which("python3") else { throw MotoServerError.notInstalled }
        port = Loopback.freePort()
        child = try ChildProcess(python, ["-c", Self.script, "\(port)", secret, "\(failFirst)", failure.rawValue],
                                 environment: ProcessInfo.processInfo.environment)
        guard Loopback.waitUntilListening(port, timeout: 30) else {
            child.stop()
            throw MotoServerError.didNotStart(port: port, stderr: child.stderr)
        }
    }

    deinit { child.stop() }

    /// What the server wrote on stderr (the expected canonical request of each rejected signature).
    var log: String { child.stderr }

    struct Stats: Decodable {
        var requests: Int
        var signature_failures: Int
        var paths: [String]
        /// The access key id of each verified request, in order.
        var key_ids: [String]
        /// The `x-amz-security-token` of each verified request ("" when none), in order.
        var tokens: [String]
    }

    /// Requests seen so far (not counting this one).
    func stats() throws -> Stats {
        let response = try CurlHTTPClient().sendBlocking(HTTPRequest(url: endpoint + "/__stats"))
        return try JSONDecoder().decode(Stats.self, from: response.body)
    }

    static let script = #"""
import base64, hashlib, json, sys, threading, urllib.parse, uuid
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

port, secret, fail_first, failure = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
objects, stats, lock = {}, {"requests": 0, "signature_failures": 0, "paths": [], "key_ids": [], "tokens": []}, threading.Lock()

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args): pass

    def reply(self, status, headers=None, body=b""):
        self.send_response(status)
        for k, v in (headers or {}).items(): self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD": self.wfile.write(body)

    def error(self, status, code, message):
        doc = f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code><Message>{message}</Message></Error>'
        self.reply(status, {"Content-Type": "application/xml"}, doc.encode())

    def signature_ok(self, body):
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("AWS4-HMAC-SHA256 "): return False
        fields = dict(p.strip().split("=", 1) for p in auth[len("AWS4-HMAC-SHA256 "):].split(","))
        key, _, region, service, _ = fields["Credential"].split("/")
        signed = fields["SignedHeaders"].split(";")
        headers = {k: v for k, v in self.headers.items() if k.lower() in signed}
        # As S3 does: the query is decoded, then each name and value re-encoded (only A-Z a-z 0-9 -._~ stay
        # as they are), so a `/` or `=` signed unencoded does not match.
        raw_path, _, raw_query = self.path.partition("?")
        params = urllib.parse.parse_qsl(raw_query, keep_blank_values=True)
        request = AWSRequest(method=self.command, url=f"http://127.0.0.1:{port}{raw_path}", data=body, headers=headers,
                             params=params)
        request.context["timestamp"] = self.headers["X-Amz-Date"]
        signer = S3SigV4Auth(Credentials(key, secret), service, region)
        canonical = signer.canonical_request(request)
        ok = signer.signature(signer.string_to_sign(request, canonical), request) == fields["Signature"]
        if not ok:
            print("signature mismatch; expected canonical request:\n" + canonical + "\nheaders: " + repr(dict(self.headers.items())), file=sys.stderr, flush=True)
        return ok

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.path == "/__stats":
            return self.reply(200, {"Content-Type": "application/json"}, json.dumps(stats).encode())
        with lock:
            stats["requests"] += 1
            n = stats["requests"]
        if n <= fail_first:
            if failure == "reset":
                self.close_connection = True
                return
            if failure == "slowdown":
                return self.error(503, "SlowDown", "Please reduce your request rate.")
            return self.error(500, "InternalError", "We encountered an internal error. Please try again.")
        if not self.signature_ok(body):
            stats["signature_failures"] += 1
            return self.error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")
        stats["paths"].append(self.command + " " + self.path)
        stats["key_ids"].append(self.headers.get("Authorization", "").split("Credential=")[-1].split("/")[0])
        stats["tokens"].append(self.headers.get("x-amz-security-token", ""))
        path = urllib.parse.unquote(self.path.split("?")[0])
        if self.command == "PUT":
            if self.headers.get("If-None-Match") == "*" and path in objects:
                return self.error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold")
            md5 = hashlib.md5(body).hexdigest()
            if "Content-MD5" in self.headers and base64.b64decode(self.headers["Content-MD5"]).hex() != md5:
                return self.error(400, "BadDigest", "The Content-MD5 you specified did not match what we received.")
            meta = {k.lower(): v for k, v in self.headers.items() if k.lower().startswith("x-amz-meta-")}
            objects[path] = (body, md5, meta, uuid.uuid4().hex)
            return self.reply(200, {"ETag": f'"{md5}"', "x-amz-version-id": objects[path][3]})
        if path in objects:
            data, md5, meta, version = objects[path]
            return self.reply(200, {"ETag": f'"{md5}"', "x-amz-version-id": version, **meta}, data)
        query = dict(urllib.parse.parse_qsl(self.path.partition("?")[2], keep_blank_values=True))
        if path.count("/") == 1 and query.get("list-type") == "2":
            # ListObjectsV2, two keys a page, so paging by start-after is exercised.
            bucket = path.strip("/")
            names = sorted(k[len(bucket) + 2:] for k in objects if k.startswith("/" + bucket + "/"))
            names = [n for n in names if n.startswith(query.get("prefix", "")) and n > query.get("start-after", "")]
            page = names[:2]
            from xml.sax.saxutils import escape
            doc = '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult>' + "".join(
                f"<Contents><Key>{escape(n)}</Key></Contents>" for n in page) + \
                f"<IsTruncated>{'true' if len(names) > 2 else 'false'}</IsTruncated></ListBucketResult>"
            return self.reply(200, {"Content-Type": "application/xml"}, doc.encode())
        if path.count("/") == 1:
            return self.reply(200)
        return self.error(404, "NoSuchKey", "The specified key does not exist.")

    do_GET = do_PUT = do_HEAD = handle_any

ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
"""#
}
