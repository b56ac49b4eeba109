/// Why S3 settings could not be resolved. Messages name the fix and never contain secrets.
public enum S3ConfigurationError: Error, Equatable, CustomStringConvertible {
    /// Neither environment variables nor a profile supplied credentials.
    case missingCredentials(searched: [String])
    /// Only one of the access key ID and the secret access key was given.
    case partialCredentials(present: String, missing: String)
    /// The named profile is in neither shared file.
    case unknownProfile(name: String, searched: [String])
    /// The profile exists but holds no static keys.
    case profileWithoutCredentials(name: String, searched: [String])
    /// The profile gets credentials in a way this client does not implement (assume-role, SSO, process).
    case unsupportedCredentialSource(profile: String, setting: String)
    /// The endpoint URL is not an absolute http(s) URL.
    case invalidEndpoint(value: String, source: String)
    /// The bucket name cannot be used in a URL.
    case invalidBucketName(String)
    /// A source of temporary credentials (STS, the container endpoint, instance metadata, a credential
    /// process) was chosen but did not deliver.
    case credentialSourceFailed(source: String, detail: String)
    /// Temporary credentials expired and could not be refreshed.
    case credentialRefreshFailed(source: String, detail: String)
    /// Every source of the chain was tried; each entry says what was looked at and why it gave nothing.
    case noCredentials(tried: [String])

    public var description: String {
        switch self {
        case .missingCredentials(let searched):
            return "no AWS credentials found: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or --aws-profile"
                + (searched.isEmpty ? "" : " (looked for profile \"default\" in \(searched.joined(separator: " and ")))")
        case .partialCredentials(let present, let missing):
            return "\(present) is set but \(missing) is not: set both, or unset \(present) to use a profile"
        case .unknownProfile(let name, let searched):
            return "AWS profile \"\(name)\" not found in \(searched.joined(separator: " or ")): "
                + "check --aws-profile/AWS_PROFILE, or add [\(name)] to the credentials file or [profile \(name)] to the config file"
        case .profileWithoutCredentials(let name, let searched):
            return "AWS profile \"\(name)\" has no aws_access_key_id/aws_secret_access_key in \(searched.joined(separator: " or ")): "
                + "add both keys to the profile or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
        case .unsupportedCredentialSource(let profile, let setting):
            return "AWS profile \"\(profile)\" gets credentials through \(setting), which scraper does not support: "
                + "export temporary keys (aws configure export-credentials --profile \(profile) --format env) and set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN"
        case .invalidEndpoint(let value, let source):
            return "S3 endpoint \"\(value)\" from \(source) is not an absolute http:// or https:// URL: "
                + "give one like http://127.0.0.1:4566"
        case .credentialSourceFailed(let source, let detail):
            return "AWS credentials from \(source) failed: \(detail)"
        case .credentialRefreshFailed(let source, let detail):
            return "the temporary AWS credentials (\(source)) expired and could not be refreshed: \(detail)"
        case .noCredentials(let tried):
            return "no AWS credentials found; tried, in order: " + tried.enumerated().map { "\($0.offset + 1). \($0.element)" }.joined(separator: "; ")
                + ". Set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, pass --aws-profile, or run where a role is provided (EKS IRSA, ECS, EC2)"
        case .invalidBucketName(let name):
            return "S3 bucket name \"\(name)\" is not valid: use 3-63 lower-case letters, digits, dots and hyphens"
        }
    }
}
