import CollectionFramework
import Foundation
import LoopbackHTTP
import Synchronization
import TestSupport
import XCTest

/// The AWS credential chain against real servers where they run here (moto's STS and S3 with its
/// signature checks on; the botocore-based S3 reference server) and small loopback stand-ins where AWS
/// itself is the only real one (the container endpoint, EC2 instance metadata). Each test checks the
/// key the signed S3 request was made with.
final class AWSCredentialChainTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = TestPaths.temporaryDirectory("aws-chain")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: dir)
    }

    /// An environment with no keys, no profiles (an empty HOME) and instance metadata off, plus `extra`.
    private func environment(_ extra: [String: String] = [:]) -> [String: String] {
        ["HOME": dir.path, "AWS_EC2_METADATA_DISABLED": "true", "AWS_REGION": "us-east-1"].merging(extra) { $1 }
    }

    private func chain(_ env: [String: String]) -> AWSCredentialChain {
        AWSCredentialChain(environment: env, files: AWSSharedFiles.load(environment: env))
    }

    private func store(bucket: String, endpoint: String, env: [String: String], profile: String? = nil) async throws -> S3ObjectStore {
        let configuration = try await S3Configuration.resolve(options: S3Options(bucket: bucket, profile: profile, endpointURL: endpoint),
                                                              environment: env, files: AWSSharedFiles.load(environment: env), chain: chain(env))
        return S3ObjectStore(configuration: configuration)
    }

    private func put(_ store: S3ObjectStore, _ key: String) async throws {
        let body = try Gzip.compress(Data(key.utf8), level: 6)
        _ = try await store.put(ObjectPutRequest(key: key, body: body, contentSHA256: ContentHash.sha256Hex(Data(key.utf8)), metadata: [:]))
    }

    private func write(_ text: String, _ name: String) throws -> String {
        let url = dir.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    private static func document(key: String, secret: String, token: String, expires: Date, tokenField: String = "Token") -> String {
        let f = ISO8601DateFormatter()
        return #"{"Code": "Success", "AccessKeyId": "\#(key)", "SecretAccessKey": "\#(secret)", "\#(tokenField)": "\#(token)", "Expiration": "\#(f.string(from: expires))"}"#
    }

    // MARK: STS (moto)

    func testWebIdentityAssumesTheRoleAtSTSAndS3AcceptsTheTemporaryKey() async throws {
        let moto = try MotoServer()
        defer { moto.stop() }
        try moto.createBucket("irsa")
        let role = try moto.createRole(named: "scraper-irsa")
        let tokenFile = try write("eyJhbGciOiJSUzI1NiJ9.projected-service-account-token.sig", "token")
        let env = environment(["AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile, "AWS_ROLE_ARN": role, "AWS_ROLE_SESSION_NAME": "pod-1",
                               "AWS_ENDPOINT_URL_STS": moto.endpoint])
        let resolved = try await chain(env).resolve(explicitProfile: nil)
        let credentials = resolved.resolution.credentials
        XCTAssertEqual(credentials.source, .webIdentity(roleARN: role))
        XCTAssertTrue(credentials.accessKeyID.hasPrefix("ASIA"), credentials.accessKeyID)
        XCTAssertNotNil(credentials.sessionToken)
        XCTAssertNotNil(resolved.cache, "temporary credentials are refreshed")

        // moto now verifies every signature: only the role's temporary key, secret and token pass.
        let store = try await store(bucket: "irsa", endpoint: moto.endpoint, env: env)
        try moto.enableSignatureChecks()
        try await put(store, "irsa/object.json.gz")
        var forged = try S3Configuration(bucket: "irsa", endpointURL: moto.endpoint,
                                         credentials: AWSCredentials(accessKeyID: credentials.accessKeyID, secretAccessKey: credentials.secretAccessKey,
                                                                     sessionToken: "not-the-token"))
        forged.credentialsCache = nil
        await XCTAssertThrowsErrorAsync(try await self.put(S3ObjectStore(configuration: forged), "irsa/forged.json.gz"))
    }

    func testAProfileRoleWithSourceProfileIsAssumedWithTheSourceKeys() async throws {
        let moto = try MotoServer()
        defer { moto.stop() }
        try moto.createBucket("assumed")
        let user = try moto.createUser(named: "base-user", actions: ["sts:AssumeRole"])
        let role = try moto.createRole(named: "scraper-analyst")
        let aws = dir.appendingPathComponent(".aws")
        try FileManager.default.createDirectory(at: aws, withIntermediateDirectories: true)
        try "[base]\naws_access_key_id = \(user.accessKeyID)\naws_secret_access_key = \(user.secretAccessKey)\n"
            .write(to: aws.appendingPathComponent("credentials"), atomically: true, encoding: .utf8)
        try """
        [profile analyst]
        role_arn = \(role)
        source_profile = base
        external_id = ext-42
        duration_seconds = 900
        role_session_name = scraper-test
        region = us-east-1
        """.write(to: aws.appendingPathComponent("config"), atomically: true, encoding: .utf8)
        let env = environment(["AWS_ENDPOINT_URL": moto.endpoint])
        // (moto 5.2 refuses every AssumeRole while its signature checks are on, whatever the caller's
        // policy says, so they go on after the role is assumed: S3 then accepts only the role's key.)
        let resolved = try await chain(env).resolve(explicitProfile: "analyst")
        let store = try await store(bucket: "assumed", endpoint: moto.endpoint, env: env, profile: "analyst")
        try moto.enableSignatureChecks()
        XCTAssertEqual(resolved.resolution.credentials.source, .assumedRole(roleARN: role, profile: "analyst"))
        XCTAssertTrue(resolved.resolution.credentials.accessKeyID.hasPrefix("ASIA"))
        XCTAssertNotEqual(resolved.resolution.credentials.accessKeyID, user.accessKeyID)
        try await put(store, "assumed/object.json.gz")

        // A role_arn with nothing to assume it with is refused, naming what is missing.
        try "[profile lonely]\nrole_arn = \(role)\n".write(to: aws.appendingPathComponent("config"), atomically: true, encoding: .utf8)
        await XCTAssertThrowsErrorAsync(try await self.chain(env).resolve(explicitProfile: "lonely")) { error in
            XCTAssertTrue("\(error)".contains("role_arn needs source_profile, credential_source or web_identity_token_file"), "\(error)")
        }
    }

    // MARK: credential_process, container, IMDS (the S3 reference server checks the signature)

    func testCredentialProcessIsRunAndItsKeySignsAndIsRefreshedBeforeExpiry() async throws {
        let s3 = try S3ReferenceServer(secret: "process-secret")
        let counter = dir.appendingPathComponent("runs").path
        // Each run prints a key numbered by the run, expiring in 2 minutes: inside the 5-minute margin.
        let expires = ISO8601DateFormatter().string(from: Date().addingTimeInterval(120))
        let script = try write("""
        #!/bin/sh
        n=$(( $(cat \(counter) 2>/dev/null || echo 0) + 1 )); echo $n > \(counter)
        printf '{"Version": 1, "AccessKeyId": "AKIAPROCESS00000000%s", "SecretAccessKey": "process-secret", "SessionToken": "process-token", "Expiration": "\(expires)"}' $n
        """, "creds.sh")
        chmod(script, 0o755)
        let aws = dir.appendingPathComponent(".aws")
        try FileManager.default.createDirectory(at: aws, withIntermediateDirectories: true)
        try "[default]\ncredential_process = \(script)\n".write(to: aws.appendingPathComponent("config"), atomically: true, encoding: .utf8)
        let store = try await store(bucket: "ref", endpoint: s3.endpoint, env: environment())
        try await put(store, "process/a.json.gz")
        try await put(store, "process/b.json.gz")
        let stats = try s3.stats()
        XCTAssertEqual(stats.signature_failures, 0, s3.log)
        let puts = zip(stats.paths, stats.key_ids).filter { $0.0.hasPrefix("PUT ") }.map(\.1)
        XCTAssertEqual(puts.count, 2)
        XCTAssertTrue(puts.allSatisfy { $0.hasPrefix("AKIAPROCESS") }, "\(puts)")
        XCTAssertEqual(Set(puts).count, 2, "the second request used refreshed credentials: \(puts)")
        XCTAssertTrue(stats.tokens.allSatisfy { $0 == "process-token" })
    }

    /// A loopback server answering `respond` (given each request and its number), keeping the requests.
    private final class Endpoint: Sendable {
        typealias Seen = (method: String, path: String, headers: [(name: String, value: String)])
        final class Log: Sendable {
            let entries = Mutex<[Seen]>([])
        }
        let server: LoopbackHTTPServer
        let port: Int
        let log = Log()

        init(_ respond: @escaping @Sendable (LoopbackHTTPRequest, Int) -> LoopbackHTTPResponse) throws {
            let log = self.log
            server = LoopbackHTTPServer(host: "127.0.0.1", port: 0) { request in
                let n = log.entries.withLock { s in
                    s.append((request.method, request.path, request.headers))
                    return s.count
                }
                return respond(request, n)
            }
            port = try server.start()
        }

        var url: String { "http://127.0.0.1:\(port)" }
        var requests: [Seen] { log.entries.withLock { $0 } }
    }

    func testContainerCredentialsWithATokenFileSignAndAreRefreshed() async throws {
        let s3 = try S3ReferenceServer(secret: "container-secret")
        let endpoint = try Endpoint { request, n in
            guard request.header("Authorization") == "pod-identity-token" else { return .text("no token\n", status: 401) }
            return .text(Self.document(key: "ASIACONTAINER000000\(n)", secret: "container-secret", token: "container-token-\(n)",
                                       expires: Date().addingTimeInterval(60)), contentType: "application/json")
        }
        defer { Task { await endpoint.server.stop() } }
        let tokenFile = try write("pod-identity-token\n", "pod-token")
        let env = environment(["AWS_CONTAINER_CREDENTIALS_FULL_URI": endpoint.url + "/v1/credentials",
                               "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile])
        let resolved = try await chain(env).resolve(explicitProfile: nil)
        XCTAssertEqual(resolved.resolution.credentials.source, .container(url: endpoint.url + "/v1/credentials"))
        let store = try await store(bucket: "ref", endpoint: s3.endpoint, env: env)
        try await put(store, "container/a.json.gz")
        let stats = try s3.stats()
        XCTAssertEqual(stats.signature_failures, 0, s3.log)
        XCTAssertTrue(stats.key_ids.allSatisfy { $0.hasPrefix("ASIACONTAINER") }, "\(stats.key_ids)")
        XCTAssertTrue(stats.tokens.allSatisfy { $0.hasPrefix("container-token-") }, "\(stats.tokens)")
        XCTAssertTrue(endpoint.requests.allSatisfy { $0.path == "/v1/credentials" })
        XCTAssertGreaterThanOrEqual(endpoint.requests.count, 3, "fetched at start, again for the store, and refreshed (60 s left < 5 min)")

        // A full URI over plain http to a host that is neither loopback nor the agent is refused.
        let remote = environment(["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://203.0.113.9/creds"])
        await XCTAssertThrowsErrorAsync(try await self.chain(remote).resolve(explicitProfile: nil)) { error in
            XCTAssertTrue("\(error)".contains("must be https, or http to a loopback address"), "\(error)")
        }
    }

    func testInstanceMetadataIsAskedWithAnIMDSv2TokenAndCanBeDisabled() async throws {
        let s3 = try S3ReferenceServer(secret: "instance-secret")
        let endpoint = try Endpoint { request, _ in
            switch (request.method, request.path) {
            case ("PUT", "/latest/api/token"):
                guard request.header("X-aws-ec2-metadata-token-ttl-seconds") != nil else { return .text("", status: 400) }
                return .text("imds-session-token")
            case (_, _) where request.header("X-aws-ec2-metadata-token") != "imds-session-token":
                return .text("", status: 401)
            case ("GET", "/latest/meta-data/iam/security-credentials/"):
                return .text("scraper-instance-role")
            case ("GET", "/latest/meta-data/iam/security-credentials/scraper-instance-role"):
                return .text(Self.document(key: "ASIAINSTANCE0000001", secret: "instance-secret", token: "instance-token",
                                           expires: Date().addingTimeInterval(6 * 3600)), contentType: "application/json")
            default:
                return .text("", status: 404)
            }
        }
        defer { Task { await endpoint.server.stop() } }
        var env = environment(["AWS_EC2_METADATA_SERVICE_ENDPOINT": endpoint.url])
        env["AWS_EC2_METADATA_DISABLED"] = nil
        let resolved = try await chain(env).resolve(explicitProfile: nil)
        XCTAssertEqual(resolved.resolution.credentials.source, .instanceMetadata(role: "scraper-instance-role"))
        XCTAssertEqual(endpoint.requests.map { "\($0.method) \($0.path)" },
                       ["PUT /latest/api/token", "GET /latest/meta-data/iam/security-credentials/",
                        "GET /latest/meta-data/iam/security-credentials/scraper-instance-role"], "the token first (IMDSv2)")
        try await put(try await store(bucket: "ref", endpoint: s3.endpoint, env: env), "instance/a.json.gz")
        let stats = try s3.stats()
        XCTAssertEqual(stats.signature_failures, 0, s3.log)
        XCTAssertTrue(stats.key_ids.allSatisfy { $0 == "ASIAINSTANCE0000001" } && stats.tokens.allSatisfy { $0 == "instance-token" })

        let asked = endpoint.requests.count
        env["AWS_EC2_METADATA_DISABLED"] = "true"
        await XCTAssertThrowsErrorAsync(try await self.chain(env).resolve(explicitProfile: nil)) { error in
            XCTAssertTrue("\(error)".contains("EC2 instance metadata: disabled by AWS_EC2_METADATA_DISABLED"), "\(error)")
        }
        XCTAssertEqual(endpoint.requests.count, asked, "not asked when disabled")
    }

    func testNothingFoundListsEverySourceThatWasTried() async throws {
        var env = environment(["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:\(Loopback.freePort())"])
        env["AWS_EC2_METADATA_DISABLED"] = nil
        await XCTAssertThrowsErrorAsync(try await self.chain(env).resolve(explicitProfile: nil)) { error in
            let message = "\(error)"
            for expected in ["1. environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY: not set",
                             "2. web identity (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN): not set",
                             "3. profile \"default\" in", "4. container credentials", "5. EC2 instance metadata at http://127.0.0.1:"] {
                XCTAssertTrue(message.contains(expected), "\(expected) in: \(message)")
            }
        }
    }

    func testEnvironmentKeysWithASessionTokenComeFirstAndSignWithTheToken() async throws {
        let s3 = try S3ReferenceServer(secret: "env-secret")
        let tokenFile = try write("unused", "token")
        let env = environment(["AWS_ACCESS_KEY_ID": "ASIAENVIRONMENT00001", "AWS_SECRET_ACCESS_KEY": "env-secret",
                               "AWS_SESSION_TOKEN": "env-token", "AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile,
                               "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/never-asked"])
        try await put(try await store(bucket: "ref", endpoint: s3.endpoint, env: env), "env/a.json.gz")
        let stats = try s3.stats()
        XCTAssertEqual(stats.signature_failures, 0, s3.log)
        XCTAssertTrue(stats.key_ids.allSatisfy { $0 == "ASIAENVIRONMENT00001" } && stats.tokens.allSatisfy { $0 == "env-token" })
    }
}
