import CollectionFramework
import Foundation
import XCTest

/// Settings resolution as a pure function of (environment, shared-file contents, options): table tests.
final class S3ConfigurationTests: XCTestCase {
    static let marker = "MARKER-SECRET-c41d0a93be"
    static let tokenMarker = "MARKER-TOKEN-5e7f21c0aa"

    static let credentialsText = """
    # comment
    [default]
    aws_access_key_id = AKIADEFAULT000000000
    aws_secret_access_key = \(marker)

    [localstack]
    aws_access_key_id=AKIALOCALSTACK000000
    aws_secret_access_key=\(marker)
    aws_session_token = \(tokenMarker)

    [half]
    aws_access_key_id = AKIAHALF000000000000
    """

    static let configText = """
    [default]
    region = eu-west-1

    [profile localstack]
    region = us-west-2
    endpoint_url = http://127.0.0.1:4566/
    s3 =
      addressing_style = path
      endpoint_url = http://ignored.invalid:1

    [profile configonly]
    aws_access_key_id = AKIACONFIGONLY000000
    aws_secret_access_key = \(marker)
    region = ap-south-1

    [profile role]
    role_arn = arn:aws:iam::123456789012:role/x
    source_profile = default

    [localstack]
    region = should-not-apply

    [sso-session corp]
    sso_region = us-east-1
    """

    let files = AWSSharedFiles(credentialsPath: "/home/u/.aws/credentials", credentialsText: credentialsText,
                               configPath: "/home/u/.aws/config", configText: configText)

    struct Case {
        var name: String
        var options: S3Options
        var environment: [String: String]
        var files: AWSSharedFiles?
        var expectKey: String?
        var expectRegion: String?
        var expectEndpoint: String??
        var expectProfile: String??
        var expectToken: String??
        var expectError: S3ConfigurationError?
    }

    func testResolutionTable() async {
        let bucket = "scraper-testing"
        let cases: [Case] = [
            Case(name: "environment keys, default profile region", options: S3Options(bucket: bucket),
                 environment: ["AWS_ACCESS_KEY_ID": "AKIAENV0000000000000", "AWS_SECRET_ACCESS_KEY": Self.marker,
                               "AWS_SESSION_TOKEN": Self.tokenMarker],
                 expectKey: "AKIAENV0000000000000", expectRegion: "eu-west-1", expectEndpoint: .some(nil),
                 expectProfile: "default", expectToken: Self.tokenMarker),
            Case(name: "AWS_REGION beats AWS_DEFAULT_REGION beats profile", options: S3Options(bucket: bucket),
                 environment: ["AWS_ACCESS_KEY_ID": "AKIAENV0000000000000", "AWS_SECRET_ACCESS_KEY": "s",
                               "AWS_REGION": "us-east-2", "AWS_DEFAULT_REGION": "us-west-1"],
                 expectKey: "AKIAENV0000000000000", expectRegion: "us-east-2"),
            Case(name: "AWS_DEFAULT_REGION", options: S3Options(bucket: bucket),
                 environment: ["AWS_ACCESS_KEY_ID": "AKIAENV0000000000000", "AWS_SECRET_ACCESS_KEY": "s",
                               "AWS_DEFAULT_REGION": "us-west-1"],
                 expectRegion: "us-west-1"),
            Case(name: "no files, no region: us-east-1", options: S3Options(bucket: bucket),
                 environment: ["AWS_ACCESS_KEY_ID": "AKIAENV0000000000000", "AWS_SECRET_ACCESS_KEY": "s"],
                 files: AWSSharedFiles(), expectRegion: "us-east-1", expectProfile: .some(nil)),
            Case(name: "--aws-profile with endpoint_url and region; nested s3 block ignored",
                 options: S3Options(bucket: bucket, profile: "localstack"),
                 environment: ["AWS_ACCESS_KEY_ID": "AKIAENV0000000000000", "AWS_SECRET_ACCESS_KEY": "s"],
                 expectKey: "AKIALOCALSTACK000000", expectRegion: "us-west-2", expectEndpoint: "http://127.0.0.1:4566",
                 expectProfile: "localstack", expectToken: Self.tokenMarker),
            Case(name: "AWS_PROFILE", options: S3Options(bucket: bucket), environment: ["AWS_PROFILE": "localstack"],
                 expectKey: "AKIALOCALSTACK000000", expectRegion: "us-west-2", expectEndpoint: "http://127.0.0.1:4566"),
            Case(name: "environment keys beat AWS_PROFILE (not --aws-profile)", options: S3Options(bucket: bucket),
                 environment: ["AWS_PROFILE": "localstack", "AWS_ACCESS_KEY_ID": "AKIAENV0000000000000", "AWS_SECRET_ACCESS_KEY": "s"],
                 expectKey: "AKIAENV0000000000000", expectRegion: "us-west-2", expectToken: .some(nil)),
            Case(name: "AWS_ENDPOINT_URL_S3 beats AWS_ENDPOINT_URL beats profile",
                 options: S3Options(bucket: bucket, profile: "localstack"),
                 environment: ["AWS_ENDPOINT_URL_S3": "http://127.0.0.1:9000", "AWS_ENDPOINT_URL": "http://127.0.0.1:9001"],
                 expectEndpoint: "http://127.0.0.1:9000"),
            Case(name: "AWS_ENDPOINT_URL", options: S3Options(bucket: bucket, profile: "localstack"),
                 environment: ["AWS_ENDPOINT_URL": "http://127.0.0.1:9001"], expectEndpoint: "http://127.0.0.1:9001"),
            Case(name: "explicit endpoint option beats environment",
                 options: S3Options(bucket: bucket, profile: "localstack", region: "ca-central-1", endpointURL: "http://127.0.0.1:7000"),
                 environment: ["AWS_ENDPOINT_URL_S3": "http://127.0.0.1:9000", "AWS_REGION": "us-east-2"],
                 expectRegion: "ca-central-1", expectEndpoint: "http://127.0.0.1:7000"),
            Case(name: "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", options: S3Options(bucket: bucket, profile: "localstack"),
                 environment: ["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true", "AWS_ENDPOINT_URL": "http://127.0.0.1:9001"],
                 expectEndpoint: .some(nil)),
            Case(name: "keys only in the config file", options: S3Options(bucket: bucket, profile: "configonly"), environment: [:],
                 expectKey: "AKIACONFIGONLY000000", expectRegion: "ap-south-1"),
            Case(name: "default profile from the credentials file", options: S3Options(bucket: bucket), environment: [:],
                 expectKey: "AKIADEFAULT000000000", expectRegion: "eu-west-1", expectProfile: "default"),
            Case(name: "unknown profile", options: S3Options(bucket: bucket, profile: "nope"), environment: [:],
                 expectError: .unknownProfile(name: "nope", searched: ["/home/u/.aws/credentials", "/home/u/.aws/config"])),
            Case(name: "unknown AWS_PROFILE even with environment keys", options: S3Options(bucket: bucket),
                 environment: ["AWS_PROFILE": "nope", "AWS_ACCESS_KEY_ID": "AKIAENV0000000000000", "AWS_SECRET_ACCESS_KEY": "s"],
                 expectError: .unknownProfile(name: "nope", searched: ["/home/u/.aws/credentials", "/home/u/.aws/config"])),
            Case(name: "non-profile config section is not a profile", options: S3Options(bucket: bucket, profile: "corp"),
                 environment: [:], files: AWSSharedFiles(configPath: "/c", configText: "[sso-session corp]\nsso_region = x\n"),
                 expectError: .unknownProfile(name: "corp", searched: ["~/.aws/credentials", "/c"])),
            Case(name: "missing credentials", options: S3Options(bucket: bucket), environment: [:], files: AWSSharedFiles(),
                 expectError: .missingCredentials(searched: ["~/.aws/credentials", "~/.aws/config"])),
            Case(name: "only the access key in the environment", options: S3Options(bucket: bucket),
                 environment: ["AWS_ACCESS_KEY_ID": "AKIAENV0000000000000"],
                 expectError: .partialCredentials(present: "AWS_ACCESS_KEY_ID", missing: "AWS_SECRET_ACCESS_KEY")),
            Case(name: "profile with half the keys", options: S3Options(bucket: bucket, profile: "half"), environment: [:],
                 expectError: .profileWithoutCredentials(name: "half", searched: ["/home/u/.aws/credentials", "/home/u/.aws/config"])),
            Case(name: "assume-role profile", options: S3Options(bucket: bucket, profile: "role"), environment: [:],
                 expectError: .unsupportedCredentialSource(profile: "role", setting: "role_arn")),
            Case(name: "bad endpoint", options: S3Options(bucket: bucket, endpointURL: "127.0.0.1:4566"),
                 environment: ["AWS_ACCESS_KEY_ID": "AKIAENV0000000000000", "AWS_SECRET_ACCESS_KEY": "s"],
                 expectError: .invalidEndpoint(value: "127.0.0.1:4566", source: "the S3 endpoint option")),
        ]

        for test in cases {
            do {
                let configuration = try S3Configuration.resolve(options: test.options, environment: test.environment,
                                                                files: test.files ?? files)
                if let error = test.expectError { XCTFail("\(test.name): expected \(error)"); continue }
                if let key = test.expectKey { XCTAssertEqual(configuration.credentials.accessKeyID, key, test.name) }
                if let region = test.expectRegion { XCTAssertEqual(configuration.region, region, test.name) }
                if let endpoint = test.expectEndpoint { XCTAssertEqual(configuration.endpointURL, endpoint, test.name) }
                if let profile = test.expectProfile { XCTAssertEqual(configuration.profileName, profile, test.name) }
                if let token = test.expectToken { XCTAssertEqual(configuration.credentials.sessionToken, token, test.name) }
                XCTAssertFalse("\(configuration.credentials)".contains(Self.marker), test.name)
                XCTAssertFalse("\(configuration.credentials)".contains(Self.tokenMarker), test.name)
            } catch {
                XCTAssertEqual(error as? S3ConfigurationError, test.expectError, "\(test.name): \(error)")
                XCTAssertFalse("\(error)".contains(Self.marker), test.name)
                XCTAssertFalse("\(error)".contains(Self.tokenMarker), test.name)
            }
        }
    }

    func testErrorMessagesSayWhatToDo() async {
        XCTAssertTrue("\(S3ConfigurationError.missingCredentials(searched: []))"
            .hasPrefix("no AWS credentials found: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or --aws-profile"))
        let unknown = "\(S3ConfigurationError.unknownProfile(name: "nope", searched: ["/a/credentials", "/a/config"]))"
        XCTAssertTrue(unknown.contains("\"nope\" not found in /a/credentials or /a/config"), unknown)
    }

    func testSharedFilePathsFollowEnvironmentAndHome() async {
        let defaults = AWSSharedFiles.paths(environment: ["HOME": "/home/alice"])
        XCTAssertEqual(defaults.credentials, "/home/alice/.aws/credentials")
        XCTAssertEqual(defaults.config, "/home/alice/.aws/config")
        let custom = AWSSharedFiles.paths(environment: ["HOME": "/home/alice", "AWS_SHARED_CREDENTIALS_FILE": "~/creds",
                                                        "AWS_CONFIG_FILE": "/etc/aws-config"])
        XCTAssertEqual(custom.credentials, "/home/alice/creds")
        XCTAssertEqual(custom.config, "/etc/aws-config")
    }

    func testLoadReadsFilesUnderInjectedHome() async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("aws-home-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home.appendingPathComponent(".aws"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        try Self.credentialsText.write(to: home.appendingPathComponent(".aws/credentials"), atomically: true, encoding: .utf8)
        try Self.configText.write(to: home.appendingPathComponent(".aws/config"), atomically: true, encoding: .utf8)

        let environment = ["HOME": home.path, "AWS_PROFILE": "localstack"]
        let configuration = try S3Configuration.resolve(options: S3Options(bucket: "b-1"), environment: environment,
                                                        files: AWSSharedFiles.load(environment: environment))
        XCTAssertEqual(configuration.endpointURL, "http://127.0.0.1:4566")
        XCTAssertEqual(configuration.region, "us-west-2")
        XCTAssertEqual(configuration.identity, "profile localstack")
    }

    func testConfigFileParsing() async {
        let file = AWSConfigFile(parsing: Self.configText, kind: .config)
        XCTAssertEqual(Set(file.profiles.keys), ["default", "localstack", "configonly", "role"])
        XCTAssertEqual(file.profile("localstack")?["endpoint_url"], "http://127.0.0.1:4566/")
        XCTAssertEqual(file.profile("localstack")?["region"], "us-west-2", "[localstack] without 'profile' is ignored in config")
        XCTAssertEqual(file.nested["localstack"]?["s3"]?["addressing_style"], "path")
        let credentials = AWSConfigFile(parsing: Self.credentialsText, kind: .credentials)
        XCTAssertEqual(credentials.profile("localstack")?["aws_access_key_id"], "AKIALOCALSTACK000000")
    }

    func testURLsArePathStyleForEndpointsAndVirtualHostedForAWS() async throws {
        let credentials = AWSCredentials(accessKeyID: "AKIA", secretAccessKey: Self.marker)
        let custom = try S3Configuration(bucket: "bkt", endpointURL: "http://127.0.0.1:4566/", credentials: credentials)
        XCTAssertEqual(try custom.objectURL(for: "sourcing/d/year=2025/month=01/a b+c.json.gz"),
                       "http://127.0.0.1:4566/bkt/sourcing/d/year%3D2025/month%3D01/a%20b%2Bc.json.gz")
        XCTAssertEqual(custom.bucketURL, "http://127.0.0.1:4566/bkt")

        let aws = try S3Configuration(bucket: "bkt", region: "eu-west-1", credentials: credentials)
        XCTAssertEqual(try aws.objectURL(for: "k/é~_-.gz"), "https://bkt.s3.eu-west-1.amazonaws.com/k/%C3%A9~_-.gz")
        XCTAssertEqual(aws.location(for: "k/é.gz"), "s3://bkt/k/é.gz")

        let dotted = try S3Configuration(bucket: "my.bucket", region: "us-east-1", credentials: credentials)
        XCTAssertEqual(try dotted.objectURL(for: "k"), "https://s3.us-east-1.amazonaws.com/my.bucket/k")

        XCTAssertThrowsError(try custom.objectURL(for: "a/../b"))
        XCTAssertThrowsError(try custom.objectURL(for: ""))
        XCTAssertThrowsError(try S3Configuration(bucket: "bad/bucket", credentials: credentials))
    }
}
