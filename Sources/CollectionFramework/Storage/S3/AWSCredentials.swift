import Foundation

/// Static AWS keys, and where they came from. Printing them never shows the secret or the token.
public struct AWSCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// Where credentials were found, for messages.
    public enum Source: Sendable, Equatable, CustomStringConvertible {
        /// `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` (/ `AWS_SESSION_TOKEN`).
        case environment
        /// A profile in a shared file.
        case profile(name: String, file: String)
        /// Given directly by the caller.
        case explicit
        /// STS `AssumeRoleWithWebIdentity` (EKS IRSA).
        case webIdentity(roleARN: String)
        /// STS `AssumeRole` for a profile's `role_arn`.
        case assumedRole(roleARN: String, profile: String)
        /// The container credentials endpoint (ECS, EKS Pod Identity).
        case container(url: String)
        /// EC2 instance metadata (IMDSv2), the instance role.
        case instanceMetadata(role: String)
        /// A profile's `credential_process`.
        case process(profile: String)

        public var description: String {
            switch self {
            case .environment: return "credentials from environment"
            case .profile(let name, _): return "profile \(name)"
            case .explicit: return "explicit credentials"
            case .webIdentity(let role): return "web identity role \(role)"
            case .assumedRole(let role, let profile): return "role \(role) assumed for profile \(profile)"
            case .container(let url): return "container credentials from \(url)"
            case .instanceMetadata(let role): return "EC2 instance role \(role)"
            case .process(let profile): return "credential_process of profile \(profile)"
            }
        }
    }

    public var accessKeyID: String
    public var secretAccessKey: String
    /// Sent as `x-amz-security-token` for temporary credentials.
    public var sessionToken: String?
    public var source: Source

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, source: Source = .explicit) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.source = source
    }

    public var description: String {
        "AWSCredentials(\(accessKeyID), secret redacted" + (sessionToken == nil ? "" : ", token redacted") + ", \(source))"
    }

    public var debugDescription: String { description }

    /// Replaces any occurrence of the secret key or token in `text` (belt and braces for messages).
    public func redacting(_ text: String) -> String {
        var result = text
        for secret in [secretAccessKey, sessionToken ?? ""] where secret.count >= 4 {
            result = result.replacingOccurrences(of: secret, with: "<redacted>")
        }
        return result
    }
}

/// The outcome of resolving credentials and the profile, as the AWS CLI would.
public struct AWSProfileResolution: Sendable, Equatable {
    public var credentials: AWSCredentials
    /// The profile whose settings apply (region, endpoint_url), nil when none was named and `default` is absent.
    public var profileName: String?
    /// That profile's settings: the config file's, overlaid with the credentials file's.
    public var profileSettings: [String: String]
}

extension AWSCredentials {
    /// Resolves credentials like the AWS tools, as a pure function of its inputs:
    /// 1. `explicitProfile` (`--aws-profile`) → that profile's keys only; environment keys are ignored.
    /// 2. `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`).
    /// 3. The profile from `AWS_PROFILE`, else `default`: the credentials file, then the config file.
    /// A profile named by option or `AWS_PROFILE` must exist in one of the files.
    public static func resolve(explicitProfile: String?, environment: [String: String],
                               files: AWSSharedFiles) throws -> AWSProfileResolution {
        let env = environment.filter { !$0.value.isEmpty }
        let credentialsFile = files.credentials
        let configFile = files.config
        let searched = [files.credentialsPath, files.configPath]

        let namedProfile = explicitProfile.flatMap { $0.isEmpty ? nil : $0 } ?? env["AWS_PROFILE"] ?? env["AWS_DEFAULT_PROFILE"]
        let profileName = namedProfile ?? "default"
        let fromCredentials = credentialsFile.profile(profileName)
        let fromConfig = configFile.profile(profileName)
        let profileExists = fromCredentials != nil || fromConfig != nil
        if namedProfile != nil, !profileExists {
            throw S3ConfigurationError.unknownProfile(name: profileName, searched: searched)
        }
        let settings = (fromConfig ?? [:]).merging(fromCredentials ?? [:]) { _, credentialsValue in credentialsValue }
        let resolvedProfile = profileExists ? profileName : nil

        func fromProfile() throws -> AWSCredentials? {
            if let key = settings["aws_access_key_id"], !key.isEmpty,
               let secret = settings["aws_secret_access_key"], !secret.isEmpty {
                let file = fromCredentials?["aws_access_key_id"] != nil ? files.credentialsPath : files.configPath
                let token = settings["aws_session_token"].flatMap { $0.isEmpty ? nil : $0 }
                return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: token,
                                      source: .profile(name: profileName, file: file))
            }
            if settings["aws_access_key_id"] != nil || settings["aws_secret_access_key"] != nil {
                throw S3ConfigurationError.profileWithoutCredentials(name: profileName, searched: searched)
            }
            for setting in ["role_arn", "credential_process", "sso_session", "sso_start_url", "web_identity_token_file"]
            where settings[setting] != nil {
                throw S3ConfigurationError.unsupportedCredentialSource(profile: profileName, setting: setting)
            }
            return nil
        }

        if explicitProfile.map({ !$0.isEmpty }) == true {
            guard let credentials = try fromProfile() else {
                throw S3ConfigurationError.profileWithoutCredentials(name: profileName, searched: searched)
            }
            return AWSProfileResolution(credentials: credentials, profileName: resolvedProfile, profileSettings: settings)
        }

        let envKey = env["AWS_ACCESS_KEY_ID"]
        let envSecret = env["AWS_SECRET_ACCESS_KEY"]
        switch (envKey, envSecret) {
        case let (key?, secret?):
            let credentials = AWSCredentials(accessKeyID: key, secretAccessKey: secret,
                                             sessionToken: env["AWS_SESSION_TOKEN"] ?? env["AWS_SECURITY_TOKEN"],
                                             source: .environment)
            return AWSProfileResolution(credentials: credentials, profileName: resolvedProfile, profileSettings: settings)
        case (_?, nil):
            throw S3ConfigurationError.partialCredentials(present: "AWS_ACCESS_KEY_ID", missing: "AWS_SECRET_ACCESS_KEY")
        case (nil, _?):
            throw S3ConfigurationError.partialCredentials(present: "AWS_SECRET_ACCESS_KEY", missing: "AWS_ACCESS_KEY_ID")
        case (nil, nil):
            break
        }

        if let credentials = try fromProfile() {
            return AWSProfileResolution(credentials: credentials, profileName: resolvedProfile, profileSettings: settings)
        }
        if namedProfile != nil {
            throw S3ConfigurationError.profileWithoutCredentials(name: profileName, searched: searched)
        }
        throw S3ConfigurationError.missingCredentials(searched: searched)
    }
}
