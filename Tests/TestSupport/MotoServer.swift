import CollectionFramework
import Foundation

/// A real `moto_server` (pip package `moto[server]`) on a free loopback port, for S3 tests.
///
/// moto starts with authentication off: any keys are accepted and requests are routed by the service in
/// their SigV4 credential scope. ``enableSignatureChecks()`` turns on moto's IAM checks (signatures are
/// verified, keys must belong to a user made with ``createUser(named:)``).
/// Sendable: every stored property is a `let` of a Sendable type (the child process wrapper is).
public final class MotoServer: Sendable {
    public let port: Int
    private let child: ChildProcess
    private let client = CurlHTTPClient()

    /// Keys for requests while authentication is off (moto accepts anything then).
    public static let setupAccessKeyID = "AKIAMOTOSETUPKEY0000"
    public static let setupSecretAccessKey = "moto-setup-secret"

    /// `http://127.0.0.1:PORT`.
    public var endpoint: String { "http://127.0.0.1:\(port)" }

    /// Starts `moto_server -H 127.0.0.1 -p PORT` and waits until it accepts connections.
    public init() throws {
        guard let executable = TestPaths.which("moto_server") else { throw MotoServerError.notInstalled }
        port = Loopback.freePort()
        child = try ChildProcess(executable, ["-H", "127.0.0.1", "-p", "\(port)"],
                                 environment: ProcessInfo.processInfo.environment)
        guard Loopback.waitUntilListening(port, timeout: 45) else {
            child.stop()
            throw MotoServerError.didNotStart(port: port, stderr: String(child.stderr.suffix(2000)))
        }
    }

    deinit { child.stop() }

    /// Stops the server.
    public func stop() { child.stop() }

    /// What moto printed on stderr (its request log), for diagnosing failures.
    public var log: String { child.stderr }

    /// Creates `name`, with versioning enabled when `versioned`.
    public func createBucket(_ name: String, versioned: Bool = true) throws {
        try expectOK(send("PUT", "/\(name)", service: "s3", contentType: "application/xml"), "create bucket \(name)")
        guard versioned else { return }
        let body = #"<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status></VersioningConfiguration>"#
        // `versioning=` rather than `versioning`: libcurl 7.88 signs the bare form differently from S3.
        try expectOK(send("PUT", "/\(name)?versioning=", service: "s3", contentType: "application/xml", body: Data(body.utf8)),
                     "enable versioning on \(name)")
    }

    /// Keys stored in `bucket` (first 1000), as moto names them. Only while authentication is off.
    public func listKeys(_ bucket: String) throws -> [String] {
        let response = try send("GET", "/\(bucket)?list-type=2", service: "s3")
        try expectOK(response, "list \(bucket)")
        return Self.elements("Key", in: String(decoding: response.body, as: UTF8.self))
    }

    /// Number of versions stored under `key` in `bucket`. Only while authentication is off.
    public func versionCount(_ bucket: String, key: String) throws -> Int {
        let response = try send("GET", "/\(bucket)?versions=", service: "s3")
        try expectOK(response, "list versions of \(bucket)")
        return Self.elements("Key", in: String(decoding: response.body, as: UTF8.self)).filter { $0 == key }.count
    }

    /// moto's account id, in the ARNs it issues.
    public static let accountID = "123456789012"

    /// Creates an IAM role allowed `s3:*` that users of this account and web identities may assume;
    /// returns its ARN.
    public func createRole(named name: String) throws -> String {
        let trust = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::\#(Self.accountID):root","Federated":"arn:aws:iam::\#(Self.accountID):oidc-provider/oidc.eks.example"},"Action":["sts:AssumeRole","sts:AssumeRoleWithWebIdentity"]}]}"#
        try expectOK(iam(["Action": "CreateRole", "RoleName": name, "AssumeRolePolicyDocument": trust]), "create IAM role \(name)")
        let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#
        try expectOK(iam(["Action": "PutRolePolicy", "RoleName": name, "PolicyName": "s3-all", "PolicyDocument": policy]),
                     "attach policy to role \(name)")
        return "arn:aws:iam::\(Self.accountID):role/\(name)"
    }

    /// Creates an IAM user allowed `actions` (`s3:*` by default) on every resource, and returns its new access key.
    public func createUser(named name: String, actions: [String] = ["s3:*"]) throws -> (accessKeyID: String, secretAccessKey: String) {
        try expectOK(iam(["Action": "CreateUser", "UserName": name]), "create IAM user \(name)")
        let list = actions.map { "\"\($0)\"" }.joined(separator: ",")
        let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["# + list + #"],"Resource":"*"}]}"#
        try expectOK(iam(["Action": "PutUserPolicy", "UserName": name, "PolicyName": "s3-all", "PolicyDocument": policy]),
                     "attach policy to \(name)")
        let response = try iam(["Action": "CreateAccessKey", "UserName": name])
        try expectOK(response, "create access key for \(name)")
        let text = String(decoding: response.body, as: UTF8.self)
        guard let key = Self.elements("AccessKeyId", in: text).first,
              let secret = Self.elements("SecretAccessKey", in: text).first else {
            throw MotoServerError.setupFailed(step: "create access key for \(name)", status: response.status, body: text)
        }
        return (key, secret)
    }

    /// From now on moto verifies every request's SigV4 signature and the caller's IAM permissions.
    public func enableSignatureChecks() throws {
        let request = HTTPRequest(method: "POST", url: endpoint + "/moto-api/reset-auth",
                                  headers: [("Content-Type", "text/plain")], body: Data("0".utf8))
        try expectOK(client.sendBlocking(request), "enable signature checks")
    }

    // MARK: - Plumbing

    private func iam(_ parameters: [String: String]) throws -> HTTPResponse {
        var form = parameters
        form["Version"] = "2010-05-08"
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let body = form.sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.value)" }
            .joined(separator: "&")
        return try send("POST", "/", service: "iam", contentType: "application/x-www-form-urlencoded", body: Data(body.utf8))
    }

    private func send(_ method: String, _ path: String, service: String, contentType: String? = nil,
                      body: Data? = nil) throws -> HTTPResponse {
        var headers: [(String, String)] = []
        if let contentType { headers.append(("Content-Type", contentType)) }
        let signing = AWSSigning(region: "us-east-1", service: service, accessKeyID: Self.setupAccessKeyID,
                                 secretAccessKey: Self.setupSecretAccessKey)
        return try client.sendBlocking(HTTPRequest(method: method, url: endpoint + path, headers: headers, body: body,
                                           timeout: 30, awsSigning: signing))
    }

    private func expectOK(_ response: HTTPResponse, _ step: String) throws {
        guard (200..<300).contains(response.status) else {
            throw MotoServerError.setupFailed(step: step, status: response.status,
                                              body: String(decoding: response.body.prefix(500), as: UTF8.self))
        }
    }

    static func elements(_ name: String, in text: String) -> [String] {
        var values: [String] = []
        var rest = text[...]
        while let open = rest.range(of: "<\(name)>"), let close = rest.range(of: "</\(name)>", range: open.upperBound..<rest.endIndex) {
            values.append(String(rest[open.upperBound..<close.lowerBound])
                .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
                .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
                .replacingOccurrences(of: "&amp;", with: "&"))
            rest = rest[close.upperBound...]
        }
        return values
    }
}

/// Why a moto server could not be used.
public enum MotoServerError: Error, CustomStringConvertible {
    case notInstalled
    case didNotStart(port: Int, stderr: String)
    case setupFailed(step: String, status: Int, body: String)

    public var description: String {
        switch self {
        case .notInstalled: return "moto_server not found on PATH: pip install 'moto[server]'"
        case .didNotStart(let port, let stderr): return "moto_server did not listen on 127.0.0.1:\(port): \(stderr)"
        case .setupFailed(let step, let status, let body): return "moto setup step \"\(step)\" failed with HTTP \(status): \(body)"
        }
    }
}
