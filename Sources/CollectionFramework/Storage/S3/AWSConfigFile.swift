import Foundation

/// One parsed AWS shared file: `~/.aws/credentials` or `~/.aws/config`, INI style.
///
/// Follows the AWS CLI's reading of these files:
/// - `[name]` opens a profile in the credentials file; in the config file profiles are
///   `[default]` or `[profile name]` (other sections such as `[sso-session x]` or `[services x]`
///   are not profiles and are skipped).
/// - `key = value` lines; keys are case-insensitive, values trimmed. Lines starting with `#` or `;`
///   are comments.
/// - Indented lines under a key with an empty value (`s3 =` then `  endpoint_url = …`) form a nested
///   block; they are kept in ``nested`` and never mistaken for top-level keys.
public struct AWSConfigFile: Sendable, Equatable {
    /// Which of the two shared files the text came from (they name profiles differently).
    public enum Kind: Sendable, Equatable {
        case credentials
        case config
    }

    /// Profile name → its top-level settings (keys lower-cased).
    public private(set) var profiles: [String: [String: String]] = [:]
    /// Profile name → nested block name → its settings, e.g. `["dev": ["s3": ["addressing_style": "path"]]]`.
    public private(set) var nested: [String: [String: [String: String]]] = [:]

    /// Parses `text`; malformed lines are ignored, as the AWS CLI does.
    public init(parsing text: String, kind: Kind) {
        var current: String?      // profile the lines belong to; nil inside a non-profile section
        var openBlock: String?    // key with an empty value whose indented lines follow
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let line = String(rawLine)
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }

            if trimmed.hasPrefix("[") {
                openBlock = nil
                guard trimmed.hasSuffix("]") else { current = nil; continue }
                let header = trimmed.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                current = Self.profileName(fromSection: header, kind: kind)
                if let current, profiles[current] == nil { profiles[current] = [:] }
                continue
            }

            guard let profile = current, let equals = trimmed.firstIndex(of: "=") else { continue }
            let key = trimmed[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = trimmed[trimmed.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty else { continue }

            let indented = line.first == " " || line.first == "\t"
            if indented, let block = openBlock {
                nested[profile, default: [:]][block, default: [:]][key] = value
                continue
            }
            if value.isEmpty {
                openBlock = key
                nested[profile, default: [:]][key, default: [:]] = [:]
            } else {
                openBlock = nil
                profiles[profile, default: [:]][key] = value
            }
        }
    }

    /// The top-level settings of profile `name`, or nil when the file has no such profile.
    public func profile(_ name: String) -> [String: String]? {
        profiles[name]
    }

    /// Maps a section header to the profile it opens, or nil when it is not a profile.
    static func profileName(fromSection header: String, kind: Kind) -> String? {
        switch kind {
        case .credentials:
            return header.isEmpty ? nil : header
        case .config:
            if header == "default" { return "default" }
            let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            guard parts.count == 2, parts[0] == "profile" else { return nil }
            let name = parts[1].trimmingCharacters(in: .whitespaces)
            return name.isEmpty ? nil : name
        }
    }
}

/// The contents of the two AWS shared files, with the paths they were (or would be) read from.
///
/// Kept separate from reading the disk so that resolving settings is a pure function of
/// (environment, these contents, explicit options).
public struct AWSSharedFiles: Sendable, Equatable {
    public var credentialsPath: String
    /// Text of the credentials file, nil when it does not exist or cannot be read.
    public var credentialsText: String?
    public var configPath: String
    /// Text of the config file, nil when it does not exist or cannot be read.
    public var configText: String?

    public init(credentialsPath: String = "~/.aws/credentials", credentialsText: String? = nil,
                configPath: String = "~/.aws/config", configText: String? = nil) {
        self.credentialsPath = credentialsPath
        self.credentialsText = credentialsText
        self.configPath = configPath
        self.configText = configText
    }

    /// The parsed credentials file (empty when absent).
    public var credentials: AWSConfigFile { AWSConfigFile(parsing: credentialsText ?? "", kind: .credentials) }
    /// The parsed config file (empty when absent).
    public var config: AWSConfigFile { AWSConfigFile(parsing: configText ?? "", kind: .config) }

    /// Where the files live for `environment`: `AWS_SHARED_CREDENTIALS_FILE` and `AWS_CONFIG_FILE`,
    /// else `$HOME/.aws/credentials` and `$HOME/.aws/config` (HOME taken from `environment`).
    public static func paths(environment: [String: String]) -> (credentials: String, config: String) {
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        func expand(_ path: String) -> String {
            if path == "~" { return home }
            if path.hasPrefix("~/") { return home + path.dropFirst() }
            return path
        }
        let credentials = environment["AWS_SHARED_CREDENTIALS_FILE"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "~/.aws/credentials"
        let config = environment["AWS_CONFIG_FILE"].flatMap { $0.isEmpty ? nil : $0 } ?? "~/.aws/config"
        return (expand(credentials), expand(config))
    }

    /// Reads both files from disk at the locations `environment` selects; missing files read as nil.
    public static func load(environment: [String: String]) -> AWSSharedFiles {
        let (credentials, config) = paths(environment: environment)
        return AWSSharedFiles(
            credentialsPath: credentials,
            credentialsText: try? String(contentsOfFile: credentials, encoding: .utf8),
            configPath: config,
            configText: try? String(contentsOfFile: config, encoding: .utf8))
    }
}
