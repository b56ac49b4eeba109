import Foundation

/// S3 settings given explicitly (command line or the scraper's config file); they beat the environment.
public struct S3Options: Sendable, Equatable {
    public var bucket: String
    /// `--aws-profile`.
    public var profile: String?
    public var region: String?
    /// e.g. `http://127.0.0.1:4566` for LocalStack or moto.
    public var endpointURL: String?
    public var forcePathStyle: Bool
    public var conditionalWrites: S3ConditionalWriteMode

    public init(bucket: String, profile: String? = nil, region: String? = nil, endpointURL: String? = nil,
                forcePathStyle: Bool = false, conditionalWrites: S3ConditionalWriteMode = .ifNoneMatch) {
        self.bucket = bucket
        self.profile = profile
        self.region = region
        self.endpointURL = endpointURL
        self.forcePathStyle = forcePathStyle
        self.conditionalWrites = conditionalWrites
    }
}

extension S3Configuration {
    /// Resolves credentials, region and endpoint the way the AWS tools do, as a pure function:
    /// - credentials: see ``AWSCredentials/resolve(explicitProfile:environment:files:)``;
    /// - region: option, `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region`, else `us-east-1`;
    /// - endpoint: option, `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL`, the profile's top-level `endpoint_url`,
    ///   else AWS (`AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` or the profile's `ignore_configured_endpoint_urls`
    ///   skips the environment and profile ones).
    ///
    /// Use ``AWSSharedFiles/load(environment:)`` to read the files from disk.
    public static func resolve(options: S3Options, environment: [String: String], files: AWSSharedFiles,
                               requestTimeout: Double = 60, retry: RetryPolicy = .s3) throws -> S3Configuration {
        let env = environment.filter { !$0.value.trimmingCharacters(in: .whitespaces).isEmpty }
        let resolution = try AWSCredentials.resolve(explicitProfile: options.profile, environment: env, files: files)
        return try configuration(options: options, environment: env, resolution: resolution, requestTimeout: requestTimeout, retry: retry)
    }

    /// As ``resolve(options:environment:files:requestTimeout:retry:)``, with credentials from the whole
    /// ``AWSCredentialChain`` (web identity, assumed roles, `credential_process`, the container endpoint,
    /// instance metadata); temporary ones are refreshed before they expire.
    public static func resolve(options: S3Options, environment: [String: String], files: AWSSharedFiles,
                               chain: AWSCredentialChain, requestTimeout: Double = 60,
                               retry: RetryPolicy = .s3) async throws -> S3Configuration {
        let env = environment.filter { !$0.value.trimmingCharacters(in: .whitespaces).isEmpty }
        let resolved = try await chain.resolve(explicitProfile: options.profile)
        var configuration = try configuration(options: options, environment: env, resolution: resolved.resolution,
                                              requestTimeout: requestTimeout, retry: retry)
        configuration.credentialsCache = resolved.cache
        return configuration
    }

    private static func configuration(options: S3Options, environment env: [String: String], resolution: AWSProfileResolution,
                                      requestTimeout: Double, retry: RetryPolicy) throws -> S3Configuration {
        let profile = resolution.profileSettings
        let profileLabel = "profile \(resolution.profileName ?? "default")"

        let region = nonEmpty(options.region) ?? env["AWS_REGION"] ?? env["AWS_DEFAULT_REGION"]
            ?? nonEmpty(profile["region"]) ?? "us-east-1"

        let ignoreConfigured = isTrue(env["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"])
            || isTrue(profile["ignore_configured_endpoint_urls"])
        var endpoint: (value: String, source: String)?
        if let explicit = nonEmpty(options.endpointURL) {
            endpoint = (explicit, "the S3 endpoint option")
        } else if !ignoreConfigured {
            if let value = env["AWS_ENDPOINT_URL_S3"] {
                endpoint = (value, "AWS_ENDPOINT_URL_S3")
            } else if let value = env["AWS_ENDPOINT_URL"] {
                endpoint = (value, "AWS_ENDPOINT_URL")
            } else if let value = nonEmpty(profile["endpoint_url"]) {
                endpoint = (value, "\(profileLabel) endpoint_url")
            }
        }
        let endpointURL = try endpoint.map { try normalizedEndpoint($0.value, source: $0.source) }

        return try S3Configuration(bucket: options.bucket, region: region, endpointURL: endpointURL,
                                   credentials: resolution.credentials, profileName: resolution.profileName,
                                   forcePathStyle: options.forcePathStyle, conditionalWrites: options.conditionalWrites,
                                   requestTimeout: requestTimeout, retry: retry)
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }

    private static func isTrue(_ value: String?) -> Bool { value?.lowercased() == "true" }
}
