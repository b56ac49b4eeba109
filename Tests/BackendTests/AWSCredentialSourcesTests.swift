import CollectionFramework
import Foundation
import LoopbackHTTP
import Synchronization
import TestSupport
import XCTest

/// What `AWSCredentialChainTests` leaves out: AssumeRole's SigV4 signature checked by moto itself,
/// role profiles whose source is the container endpoint or a web-identity token file, and the
/// refresh cache's margin and fallback on a clock the test moves.
final class AWSCredentialSourcesTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = TestPaths.temporaryDirectory("aws-sources")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: dir)
    }

    /// No keys, no IMDS, HOME in the test's folder, plus `extra`.
    private func environment(_ extra: [String: String]) -> [String: String] {
        ["HOME": dir.path, "AWS_EC2_METADATA_DISABLED": "true", "AWS_REGION": "us-east-1"].merging(extra) { $1 }
    }

    private func writeConfig(credentials: String = "", config: String) throws {
        let aws = dir.appendingPathComponent(".aws")
        try FileManager.default.createDirectory(at: aws, withIntermediateDirectories: true)
        try credentials.write(to: aws.appendingPathComponent("credentials"), atomically: true, encoding: .utf8)
        try config.write(to: aws.appendingPathComponent("config"), atomically: true, encoding: .utf8)
    }

    private func resolve(_ env: [String: String], profile: String?) async throws -> AWSCredentialChain.Resolved {
        try await AWSCredentialChain(environment: env, files: AWSSharedFiles.load(environment: env)).resolve(explicitProfile: profile)
    }

    func testAssumeRoleIsSigV4SignedForSTSAndMotoChecksThatSignature() async throws {
        let moto = try MotoServer()
        defer { moto.stop() }
        // moto 5.2 with its checks on refuses AssumeRole of a role made with CreateRole (AccessDenied, whatever
        // the caller's policy), but grants one it has no record of, after checking the signature: enough here.
        let role = "arn:aws:iam::123456789012:role/scraper-writer-unregistered"
        let user = try moto.createUser(named: "deployer", actions: ["s3:*", "sts:AssumeRole"])
        try moto.enableSignatureChecks()
        let marker = "WRONG-SECRET-MARKER-4e1f"
        let env = environment(["AWS_ENDPOINT_URL_STS": moto.endpoint])
        func profiles(secret: String) throws {
            try writeConfig(credentials: "[base]\naws_access_key_id = \(user.accessKeyID)\naws_secret_access_key = \(secret)\n",
                            config: "[profile deploy]\nrole_arn = \(role)\nsource_profile = base\n")
        }

        try profiles(secret: user.secretAccessKey)
        let assumed = try await resolve(env, profile: "deploy").resolution.credentials
        XCTAssertEqual(assumed.source, .assumedRole(roleARN: role, profile: "deploy"))
        XCTAssertTrue(assumed.accessKeyID.hasPrefix("ASIA"), assumed.accessKeyID)

        try profiles(secret: marker)
        await XCTAssertThrowsErrorAsync(try await self.resolve(env, profile: "deploy")) { error in
            XCTAssertTrue("\(error)".contains("SignatureDoesNotMatch"), "moto refused the badly signed AssumeRole: \(error)")
            XCTAssertFalse("\(error)".contains(marker), "the secret never appears: \(error)")
        }
    }

    func testRoleProfilesTakeTheirSourceFromTheContainerEndpointOrAWebIdentityTokenFile() async throws {
        let moto = try MotoServer()
        defer { moto.stop() }
        let role = try moto.createRole(named: "scraper-chained")
        let asked = Mutex(0)
        let container = LoopbackHTTPServer(host: "127.0.0.1", port: 0) { _ in
            asked.withLock { $0 += 1 }
            let expires = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3600))
            return .text(#"{"AccessKeyId": "ASIACONTAINERSOURCE1", "SecretAccessKey": "s", "Token": "t", "Expiration": "\#(expires)"}"#,
                         contentType: "application/json")
        }
        let port = try container.start()
        let tokenFile = dir.appendingPathComponent("token")
        try "eyJhbGciOiJSUzI1NiJ9.profile-token.sig".write(to: tokenFile, atomically: true, encoding: .utf8)
        try writeConfig(config: """
            [profile from-container]
            role_arn = \(role)
            credential_source = EcsContainer
            [profile from-token]
            role_arn = \(role)
            web_identity_token_file = \(tokenFile.path)
            [profile odd-source]
            role_arn = \(role)
            credential_source = Ec2Metadata

            """)
        let env = environment(["AWS_ENDPOINT_URL_STS": moto.endpoint,
                               "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:\(port)/creds"])

        let viaContainer = try await resolve(env, profile: "from-container")
        XCTAssertEqual(viaContainer.resolution.credentials.source, .assumedRole(roleARN: role, profile: "from-container"))
        XCTAssertNotEqual(viaContainer.resolution.credentials.accessKeyID, "ASIACONTAINERSOURCE1", "the role's key, not its source's")
        XCTAssertEqual(asked.withLock { $0 }, 1, "the container endpoint gave the source credentials")

        let viaToken = try await resolve(env, profile: "from-token")
        XCTAssertEqual(viaToken.resolution.credentials.source, .webIdentity(roleARN: role))
        XCTAssertNotNil(viaToken.cache, "refreshed like the environment's web identity")

        await XCTAssertThrowsErrorAsync(try await self.resolve(env, profile: "odd-source")) { error in
            XCTAssertTrue("\(error)".contains("is not one of Environment, Ec2InstanceMetadata, EcsContainer"), "\(error)")
        }
        await container.stop()
    }

    func testAProfileNamedByAWSProfileForItsRegionAloneLeavesTheCredentialsToTheContainer() async throws {
        let container = LoopbackHTTPServer(host: "127.0.0.1", port: 0) { _ in
            let expires = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3600))
            return .text(#"{"AccessKeyId": "ASIATASKROLE00000001", "SecretAccessKey": "s", "Token": "t", "Expiration": "\#(expires)"}"#,
                         contentType: "application/json")
        }
        let port = try container.start()
        try writeConfig(config: "[profile regional]\nregion = eu-west-1\n")
        var env = environment(["AWS_PROFILE": "regional", "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:\(port)/creds"])
        env["AWS_REGION"] = nil
        let files = AWSSharedFiles.load(environment: env)
        let configuration = try await S3Configuration.resolve(options: S3Options(bucket: "b-1"), environment: env, files: files,
                                                              chain: AWSCredentialChain(environment: env, files: files))
        XCTAssertEqual(configuration.credentials.accessKeyID, "ASIATASKROLE00000001", "the task role's key, as boto3 would use")
        XCTAssertEqual(configuration.region, "eu-west-1", "the profile's region still applies")
        XCTAssertEqual(configuration.profileName, "regional")

        // With nothing after it either, the profile is listed among the sources tried.
        env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = nil
        await XCTAssertThrowsErrorAsync(try await self.resolve(env, profile: nil)) { error in
            XCTAssertTrue("\(error)".contains("3. profile \"regional\" in \(self.dir.path)/.aws/credentials and \(self.dir.path)/.aws/config: no credentials in it"),
                          "\(error)")
        }
        await container.stop()
    }

    func testExpiredCredentialsThatCannotBeRefreshedFailTheRequestAsTransient() async throws {
        let expired = ExpiringCredentials(credentials: AWSCredentials(accessKeyID: "ASIAEXPIRED000000001", secretAccessKey: "s", sessionToken: "t"),
                                          expiration: Date().addingTimeInterval(-60))
        let cache = AWSCredentialsCache(initial: expired, sourceDescription: "EC2 instance metadata") {
            throw HTTPError.timedOut(url: "http://169.254.169.254/latest/api/token", seconds: 1)
        }
        var configuration = try S3Configuration(bucket: "b-1", endpointURL: "http://127.0.0.1:\(Loopback.freePort())",
                                                credentials: expired.credentials)
        configuration.credentialsCache = cache
        let body = Data("x".utf8)
        await XCTAssertThrowsErrorAsync(try await S3ObjectStore(configuration: configuration, pause: { _ in })
            .put(ObjectPutRequest(key: "a/b.json.gz", body: body, contentSHA256: ContentHash.sha256Hex(body)))) { error in
            guard case .transient(let message)? = error as? ObjectStoreError else {
                return XCTFail("a failed refresh is worth another attempt (IMDS or STS may be back): \(error)")
            }
            XCTAssertTrue(message.contains("EC2 instance metadata"), message)
        }
    }

    func testTheCacheRefreshesOnlyInsideTheMarginAndKeepsUnexpiredCredentialsWhenARefreshFails() async throws {
        let clock = ManualClock()
        let fetches = Mutex((count: 0, failing: false))
        let fetch: @Sendable () async throws -> ExpiringCredentials = {
            let (n, failing) = fetches.withLock { state -> (Int, Bool) in
                state.count += 1
                return (state.count, state.failing)
            }
            if failing { throw HTTPError.connectFailed(url: "http://169.254.170.2/creds", detail: "refused") }
            return ExpiringCredentials(credentials: AWSCredentials(accessKeyID: "ASIAFETCH\(n)", secretAccessKey: "s", sessionToken: "t"),
                                       expiration: clock.now.addingTimeInterval(3600))
        }
        let cache = AWSCredentialsCache(initial: try await fetch(), sourceDescription: "test source", now: { clock.now }, fetch: fetch)

        clock.advance(3600 - 301) // 301 s left: outside the 300 s margin, still the first ones
        await XCTAssertEqualAsync(try await cache.credentials().accessKeyID, "ASIAFETCH1")
        clock.advance(2) // 299 s left: refreshed
        await XCTAssertEqualAsync(try await cache.credentials().accessKeyID, "ASIAFETCH2")
        XCTAssertEqual(fetches.withLock { $0.count }, 2)

        fetches.withLock { $0.failing = true }
        clock.advance(3600 - 200) // 200 s left on the second set; the refresh fails, they still work
        await XCTAssertEqualAsync(try await cache.credentials().accessKeyID, "ASIAFETCH2")
        await XCTAssertEqualAsync(try await cache.credentials().accessKeyID, "ASIAFETCH2")
        XCTAssertEqual(fetches.withLock { $0.count }, 4, "each call tries the refresh again")

        clock.advance(201) // expired: now the failure surfaces, naming the source
        await XCTAssertThrowsErrorAsync(try await cache.credentials()) { error in
            XCTAssertTrue("\(error)".contains("test source"), "\(error)")
        }
        fetches.withLock { $0.failing = false }
        await XCTAssertEqualAsync(try await cache.credentials().accessKeyID, "ASIAFETCH6", "and it recovers once the source answers")
    }
}

/// A clock the test moves by hand.
private final class ManualClock: Sendable {
    private let current = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
    var now: Date { current.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { current.withLock { $0 += seconds } }
}
