import Foundation

/// AWS credentials resolved in the AWS SDKs' order, including the temporary ones that EKS, ECS and
/// EC2 provide to a pod, task or instance that has no keys:
///
/// 0. `--aws-profile NAME`: that profile only (as below), nothing else.
/// 1. `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`).
/// 2. Web identity (EKS IRSA): `AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN` (+ `AWS_ROLE_SESSION_NAME`)
///    → STS `AssumeRoleWithWebIdentity`.
/// 3. The profile of `AWS_PROFILE`, else `default`, in the shared files (one with settings but no
///    credentials passes on to 4 and 5): static keys; `role_arn` with
///    `source_profile`, `credential_source` (`Environment`, `Ec2InstanceMetadata`, `EcsContainer`) or
///    `web_identity_token_file` → STS, with `external_id`, `duration_seconds`, `role_session_name`;
///    or `credential_process`.
/// 4. Container credentials: `AWS_CONTAINER_CREDENTIALS_FULL_URI` or `…_RELATIVE_URI`.
/// 5. EC2 instance metadata (IMDSv2), unless `AWS_EC2_METADATA_DISABLED=true`.
///
/// Temporary credentials come with an ``AWSCredentialsCache`` that refreshes them before they expire.
/// When nothing is found, ``S3ConfigurationError/noCredentials(tried:)`` lists every source tried.
public struct AWSCredentialChain: Sendable {
    /// The first credentials, the profile whose settings apply, and the cache that refreshes them
    /// (nil for static keys).
    public struct Resolved: Sendable {
        public var resolution: AWSProfileResolution
        public var cache: AWSCredentialsCache?
    }

    let environment: [String: String]
    let files: AWSSharedFiles
    let region: String?
    /// For STS and the container endpoint.
    let http: any HTTPClient
    /// For instance metadata: a client that gives up connecting after about a second.
    let metadataHTTP: any HTTPClient

    public init(environment: [String: String], files: AWSSharedFiles, region: String? = nil,
                http: any HTTPClient = CurlHTTPClient(),
                metadataHTTP: any HTTPClient = CurlHTTPClient(configuration: HTTPClientConfiguration(connectTimeout: 1))) {
        self.environment = environment.filter { !$0.value.trimmingCharacters(in: .whitespaces).isEmpty }
        self.files = files
        self.region = region
        self.http = http
        self.metadataHTTP = metadataHTTP
    }

    public func resolve(explicitProfile: String?) async throws -> Resolved {
        let env = environment
        let named = explicitProfile.flatMap { $0.isEmpty ? nil : $0 } ?? env["AWS_PROFILE"] ?? env["AWS_DEFAULT_PROFILE"]
        let profileName = named ?? "default"
        let settings = profileSettings(profileName)
        if named != nil, settings == nil {
            throw S3ConfigurationError.unknownProfile(name: profileName, searched: [files.credentialsPath, files.configPath])
        }
        func done(_ credentials: AWSCredentials, _ cache: AWSCredentialsCache? = nil) -> Resolved {
            Resolved(resolution: AWSProfileResolution(credentials: credentials, profileName: settings == nil ? nil : profileName,
                                                      profileSettings: settings ?? [:]), cache: cache)
        }

        if let explicit = explicitProfile, !explicit.isEmpty {
            guard let (credentials, cache) = try await fromProfile(explicit, visited: []) else {
                throw S3ConfigurationError.profileWithoutCredentials(name: explicit, searched: [files.credentialsPath, files.configPath])
            }
            return done(credentials, cache)
        }
        var tried: [String] = []

        // 1. Environment keys.
        switch (env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]) {
        case let (key?, secret?):
            return done(AWSCredentials(accessKeyID: key, secretAccessKey: secret,
                                       sessionToken: env["AWS_SESSION_TOKEN"] ?? env["AWS_SECURITY_TOKEN"], source: .environment))
        case (_?, nil): throw S3ConfigurationError.partialCredentials(present: "AWS_ACCESS_KEY_ID", missing: "AWS_SECRET_ACCESS_KEY")
        case (nil, _?): throw S3ConfigurationError.partialCredentials(present: "AWS_SECRET_ACCESS_KEY", missing: "AWS_ACCESS_KEY_ID")
        case (nil, nil): tried.append("environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY: not set")
        }

        // 2. Web identity from the environment.
        if let tokenFile = env["AWS_WEB_IDENTITY_TOKEN_FILE"], let role = env["AWS_ROLE_ARN"] {
            let (credentials, cache) = try await webIdentity(role: role, tokenFile: tokenFile,
                                                             sessionName: env["AWS_ROLE_SESSION_NAME"], duration: nil)
            return done(credentials, cache)
        }
        tried.append("web identity (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN): not set")

        // 3. The shared files' profile.
        if settings != nil, let (credentials, cache) = try await fromProfile(profileName, visited: []) {
            return done(credentials, cache)
        }
        // A profile that AWS_PROFILE names for its settings alone (region, endpoint_url) passes on to the
        // container endpoint and instance metadata, as in the SDKs.
        tried.append("profile \"\(profileName)\" in \(files.credentialsPath) and \(files.configPath): \(settings == nil ? "absent" : "no credentials in it")")

        // 4. Container credentials.
        if let container = try ContainerCredentials(environment: env, client: http) {
            let (credentials, cache) = try await temporary(container.url) { try await container.fetch() }
            return done(credentials, cache)
        }
        tried.append("container credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI or _RELATIVE_URI): not set")

        // 5. Instance metadata.
        if InstanceMetadataCredentials.isDisabled(env) {
            tried.append("EC2 instance metadata: disabled by AWS_EC2_METADATA_DISABLED")
        } else {
            let metadata = InstanceMetadataCredentials(environment: env, client: metadataHTTP)
            do {
                let (credentials, cache) = try await temporary("EC2 instance metadata") { try await metadata.fetch() }
                return done(credentials, cache)
            } catch {
                tried.append("EC2 instance metadata at \(metadata.endpoint): \(error)")
            }
        }
        throw S3ConfigurationError.noCredentials(tried: tried)
    }

    /// The profile's settings (config file overlaid with the credentials file), nil when it is in neither.
    private func profileSettings(_ name: String) -> [String: String]? {
        let fromCredentials = files.credentials.profile(name), fromConfig = files.config.profile(name)
        guard fromCredentials != nil || fromConfig != nil else { return nil }
        return (fromConfig ?? [:]).merging(fromCredentials ?? [:]) { _, credentialsValue in credentialsValue }
    }

    /// A profile's credentials, nil when it names none. `visited` guards `source_profile` cycles.
    private func fromProfile(_ name: String, visited: [String]) async throws -> (AWSCredentials, AWSCredentialsCache?)? {
        let searched = [files.credentialsPath, files.configPath]
        guard let settings = profileSettings(name) else { throw S3ConfigurationError.unknownProfile(name: name, searched: searched) }
        func value(_ key: String) -> String? { settings[key].flatMap { $0.isEmpty ? nil : $0 } }

        if let role = value("role_arn") {
            let sessionName = value("role_session_name")
            let duration = value("duration_seconds").flatMap(Int.init)
            if let tokenFile = value("web_identity_token_file") {
                return try await webIdentity(role: role, tokenFile: tokenFile, sessionName: sessionName, duration: duration)
            }
            let source: @Sendable () async throws -> AWSCredentials
            if let sourceProfile = value("source_profile") {
                guard !visited.contains(sourceProfile) && sourceProfile != name else {
                    throw S3ConfigurationError.credentialSourceFailed(source: "profile \(name)", detail:
                        "source_profile chain loops: \((visited + [name, sourceProfile]).joined(separator: " -> "))")
                }
                // A source profile's own role_arn is followed; its keys are used as they are.
                guard let (first, cache) = try await fromProfile(sourceProfile, visited: visited + [name]) else {
                    throw S3ConfigurationError.profileWithoutCredentials(name: sourceProfile, searched: searched)
                }
                source = { try await cache?.credentials() ?? first }
            } else if let kind = value("credential_source") {
                source = try credentialSource(kind, profile: name)
            } else {
                throw S3ConfigurationError.credentialSourceFailed(source: "profile \(name)", detail:
                    "role_arn needs source_profile, credential_source or web_identity_token_file")
            }
            let sts = STSClient(environment: environment, region: region ?? value("region"), client: http)
            let externalID = value("external_id")
            let session = sessionName ?? Self.defaultSessionName
            return try await temporary("role \(role) for profile \(name)") {
                try await sts.assumeRole(roleARN: role, sessionName: session, externalID: externalID, durationSeconds: duration,
                                         source: try await source(), profile: name)
            }
        }
        if let command = value("credential_process") {
            let process = CredentialProcess(command: command, profile: name)
            return try await temporary("credential_process of profile \(name)") { try await process.fetch() }
        }
        if let key = value("aws_access_key_id"), let secret = value("aws_secret_access_key") {
            let file = files.credentials.profile(name)?["aws_access_key_id"] != nil ? files.credentialsPath : files.configPath
            return (AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: value("aws_session_token"),
                                   source: .profile(name: name, file: file)), nil)
        }
        if settings["aws_access_key_id"] != nil || settings["aws_secret_access_key"] != nil {
            throw S3ConfigurationError.profileWithoutCredentials(name: name, searched: searched)
        }
        for setting in ["sso_session", "sso_start_url"] where settings[setting] != nil {
            throw S3ConfigurationError.unsupportedCredentialSource(profile: name, setting: setting)
        }
        return nil
    }

    /// `credential_source`: where a role's source credentials come from.
    private func credentialSource(_ kind: String, profile: String) throws -> @Sendable () async throws -> AWSCredentials {
        let env = environment
        switch kind {
        case "Environment":
            guard let key = env["AWS_ACCESS_KEY_ID"], let secret = env["AWS_SECRET_ACCESS_KEY"] else {
                throw S3ConfigurationError.credentialSourceFailed(source: "profile \(profile)", detail:
                    "credential_source = Environment, but AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are not set")
            }
            let credentials = AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: env["AWS_SESSION_TOKEN"], source: .environment)
            return { credentials }
        case "Ec2InstanceMetadata":
            let metadata = InstanceMetadataCredentials(environment: env, client: metadataHTTP)
            return { try await metadata.fetch().credentials }
        case "EcsContainer":
            guard let container = try ContainerCredentials(environment: env, client: http) else {
                throw S3ConfigurationError.credentialSourceFailed(source: "profile \(profile)", detail:
                    "credential_source = EcsContainer, but AWS_CONTAINER_CREDENTIALS_FULL_URI/_RELATIVE_URI are not set")
            }
            return { try await container.fetch().credentials }
        default:
            throw S3ConfigurationError.credentialSourceFailed(source: "profile \(profile)", detail:
                "credential_source \(kind.debugDescription) is not one of Environment, Ec2InstanceMetadata, EcsContainer")
        }
    }

    private func webIdentity(role: String, tokenFile: String, sessionName: String?,
                             duration: Int?) async throws -> (AWSCredentials, AWSCredentialsCache?) {
        let sts = STSClient(environment: environment, region: region, client: http)
        let session = sessionName ?? Self.defaultSessionName
        return try await temporary("web identity role \(role)") {
            try await sts.assumeRoleWithWebIdentity(roleARN: role, sessionName: session, tokenFile: tokenFile, durationSeconds: duration)
        }
    }

    /// Fetches once, and wraps the result in a cache that fetches again before expiry.
    private func temporary(_ description: String,
                           _ fetch: @escaping @Sendable () async throws -> ExpiringCredentials) async throws -> (AWSCredentials, AWSCredentialsCache?) {
        let first = try await fetch()
        let cache = first.expiration == nil ? nil : AWSCredentialsCache(initial: first, sourceDescription: description, fetch: fetch)
        return (first.credentials, cache)
    }

    /// `scraper-<pid>-<seconds>`: a session name STS accepts (2-64 of `[\w+=,.@-]`).
    static var defaultSessionName: String { "scraper-\(getpid())-\(Int(Date().timeIntervalSince1970))" }
}
