import Foundation

/// Credentials from the container endpoint (ECS task roles, EKS Pod Identity):
/// `AWS_CONTAINER_CREDENTIALS_FULL_URI`, or `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` under
/// `http://169.254.170.2`, with `AWS_CONTAINER_AUTHORIZATION_TOKEN` or the contents of
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` as the `Authorization` header.
///
/// As in the AWS SDKs, a full URI over plain http must name a loopback address or one of the
/// container agents' link-local addresses (169.254.170.2, 169.254.170.23); anything else needs https.
struct ContainerCredentials: Sendable {
    let url: String
    let environment: [String: String]
    let client: any HTTPClient

    static let agentHost = "169.254.170.2"

    /// Nil when neither variable is set.
    init?(environment: [String: String], client: any HTTPClient) throws {
        if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] {
            url = "http://\(Self.agentHost)" + (relative.hasPrefix("/") ? relative : "/" + relative)
        } else if let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] {
            guard let components = URLComponents(string: full), let scheme = components.scheme?.lowercased(),
                  let host = components.host, scheme == "https" || (scheme == "http" && Self.isAllowedPlainHost(host)) else {
                throw S3ConfigurationError.credentialSourceFailed(source: "container credentials", detail:
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI \(full.debugDescription) must be https, or http to a loopback address or 169.254.170.2/169.254.170.23")
            }
            url = full
        } else {
            return nil
        }
        self.environment = environment
        self.client = client
    }

    static func isAllowedPlainHost(_ host: String) -> Bool {
        host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "[::1]" || host == agentHost || host == "169.254.170.23"
    }

    /// The endpoint's current credentials (the token file is read anew each time: it is rotated).
    func fetch() async throws -> ExpiringCredentials {
        var headers: [(String, String)] = [("Accept", "application/json")]
        if let tokenFile = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] {
            do {
                let token = try String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
                headers.append(("Authorization", token))
            } catch {
                throw S3ConfigurationError.credentialSourceFailed(source: "container credentials", detail:
                    "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \(tokenFile): \(error.localizedDescription)")
            }
        } else if let token = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"] {
            headers.append(("Authorization", token))
        }
        let response: HTTPResponse
        do {
            response = try await client.send(HTTPRequest(method: "GET", url: url, headers: headers, timeout: 5))
        } catch {
            throw S3ConfigurationError.credentialSourceFailed(source: "container credentials at \(url)", detail: "\(error)")
        }
        guard response.status == 200 else {
            throw S3ConfigurationError.credentialSourceFailed(source: "container credentials at \(url)", detail:
                "HTTP \(response.status) (check AWS_CONTAINER_AUTHORIZATION_TOKEN or _TOKEN_FILE)")
        }
        guard let credentials = TemporaryCredentialsDocument.parse(response.body, source: .container(url: url)) else {
            throw S3ConfigurationError.credentialSourceFailed(source: "container credentials at \(url)", detail:
                "the answer is not a credentials document (AccessKeyId, SecretAccessKey, Token, Expiration)")
        }
        return credentials
    }
}
