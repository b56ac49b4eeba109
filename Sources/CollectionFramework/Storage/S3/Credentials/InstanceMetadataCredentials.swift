import Foundation

/// Credentials of an EC2 instance's role, from the instance metadata service with IMDSv2: a session
/// token is PUT for first, then the role's name and its credentials are read with it.
///
/// `AWS_EC2_METADATA_DISABLED=true` turns this source off; `AWS_EC2_METADATA_SERVICE_ENDPOINT`
/// replaces `http://169.254.169.254`. Off EC2 nothing answers, so the connection gives up after one
/// second, once (the SDKs' defaults).
struct InstanceMetadataCredentials: Sendable {
    let endpoint: String
    let client: any HTTPClient

    static let defaultEndpoint = "http://169.254.169.254"

    static func isDisabled(_ environment: [String: String]) -> Bool {
        environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true"
    }

    init(environment: [String: String], client: any HTTPClient) {
        let configured = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] ?? Self.defaultEndpoint
        endpoint = configured.hasSuffix("/") ? String(configured.dropLast()) : configured
        self.client = client
    }

    func fetch() async throws -> ExpiringCredentials {
        let token = try await send("PUT", "/latest/api/token", [("X-aws-ec2-metadata-token-ttl-seconds", "21600")], step: "the IMDSv2 token")
        let auth = [("X-aws-ec2-metadata-token", token)]
        let roles = try await send("GET", "/latest/meta-data/iam/security-credentials/", auth, step: "the instance role's name")
        guard let role = roles.split(whereSeparator: \.isNewline).first.map(String.init), !role.isEmpty else {
            throw S3ConfigurationError.credentialSourceFailed(source: "EC2 instance metadata at \(endpoint)",
                                                              detail: "the instance has no IAM role: attach an instance profile")
        }
        let document = try await send("GET", "/latest/meta-data/iam/security-credentials/\(role)", auth, step: "the role's credentials")
        guard let credentials = TemporaryCredentialsDocument.parse(Data(document.utf8), source: .instanceMetadata(role: role)) else {
            throw S3ConfigurationError.credentialSourceFailed(source: "EC2 instance metadata at \(endpoint)",
                                                              detail: "the credentials of role \(role) are not a credentials document")
        }
        return credentials
    }

    private func send(_ method: String, _ path: String, _ headers: [(String, String)], step: String) async throws -> String {
        let response: HTTPResponse
        do {
            response = try await client.send(HTTPRequest(method: method, url: endpoint + path, headers: headers,
                                                         body: method == "PUT" ? Data() : nil, timeout: 2))
        } catch {
            throw S3ConfigurationError.credentialSourceFailed(source: "EC2 instance metadata at \(endpoint)", detail: "\(step): \(error)")
        }
        guard response.status == 200 else {
            throw S3ConfigurationError.credentialSourceFailed(source: "EC2 instance metadata at \(endpoint)", detail: "\(step): HTTP \(response.status)")
        }
        return String(decoding: response.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
