import Foundation

/// The two STS calls the credential chain makes: `AssumeRoleWithWebIdentity` (unsigned; the token is
/// the proof, as on EKS with IRSA) and `AssumeRole` (signed with the source credentials).
///
/// STS is reached at `AWS_ENDPOINT_URL_STS`, else `AWS_ENDPOINT_URL`, else the regional endpoint
/// `https://sts.<region>.amazonaws.com` (the global `https://sts.amazonaws.com` without a region).
struct STSClient: Sendable {
    let endpoint: String
    let region: String
    let client: any HTTPClient

    init(environment: [String: String], region: String?, client: any HTTPClient) {
        let region = region ?? environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"]
        self.region = region ?? "us-east-1"
        if let url = environment["AWS_ENDPOINT_URL_STS"] ?? environment["AWS_ENDPOINT_URL"] {
            endpoint = url.hasSuffix("/") ? String(url.dropLast()) : url
        } else if let region {
            endpoint = "https://sts.\(region).\(S3Configuration.awsDomain(region: region))"
        } else {
            endpoint = "https://sts.amazonaws.com"
        }
        self.client = client
    }

    /// A role's credentials for a web identity token (the file's contents, read anew for each call,
    /// because the kubelet rotates it).
    func assumeRoleWithWebIdentity(roleARN: String, sessionName: String, tokenFile: String,
                                   durationSeconds: Int? = nil) async throws -> ExpiringCredentials {
        let token: String
        do {
            token = try String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            throw S3ConfigurationError.credentialSourceFailed(source: "web identity", detail:
                "cannot read the token file \(tokenFile) (AWS_WEB_IDENTITY_TOKEN_FILE or web_identity_token_file): \(error.localizedDescription)")
        }
        var parameters = [("Action", "AssumeRoleWithWebIdentity"), ("Version", "2011-06-15"), ("RoleArn", roleARN),
                          ("RoleSessionName", sessionName), ("WebIdentityToken", token)]
        if let durationSeconds { parameters.append(("DurationSeconds", String(durationSeconds))) }
        return try await call(parameters, signing: nil, what: "AssumeRoleWithWebIdentity for \(roleARN)",
                              source: .webIdentity(roleARN: roleARN))
    }

    /// A role's credentials, asked with `source`'s.
    func assumeRole(roleARN: String, sessionName: String, externalID: String?, durationSeconds: Int?,
                    source: AWSCredentials, profile: String) async throws -> ExpiringCredentials {
        var parameters = [("Action", "AssumeRole"), ("Version", "2011-06-15"), ("RoleArn", roleARN), ("RoleSessionName", sessionName)]
        if let externalID { parameters.append(("ExternalId", externalID)) }
        if let durationSeconds { parameters.append(("DurationSeconds", String(durationSeconds))) }
        let signing = AWSSigning(region: region, service: "sts", accessKeyID: source.accessKeyID,
                                 secretAccessKey: source.secretAccessKey, sessionToken: source.sessionToken)
        return try await call(parameters, signing: signing, what: "AssumeRole for \(roleARN) (profile \(profile))",
                              source: .assumedRole(roleARN: roleARN, profile: profile))
    }

    private func call(_ parameters: [(String, String)], signing: AWSSigning?, what: String,
                      source: AWSCredentials.Source) async throws -> ExpiringCredentials {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        let body = parameters.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.1)" }
            .joined(separator: "&")
        let request = HTTPRequest(method: "POST", url: endpoint + "/",
                                  headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")],
                                  body: Data(body.utf8), timeout: 30, awsSigning: signing)
        let response: HTTPResponse
        do {
            response = try await client.send(request)
        } catch {
            throw S3ConfigurationError.credentialSourceFailed(source: "STS at \(endpoint)", detail: "\(what): \(error)")
        }
        let text = String(decoding: response.body, as: UTF8.self)
        guard response.status == 200 else {
            let code = S3XMLText.element("Code", in: text) ?? "HTTP \(response.status)"
            let message = S3XMLText.element("Message", in: text).map { ": \($0)" } ?? ""
            throw S3ConfigurationError.credentialSourceFailed(source: "STS at \(endpoint)", detail: "\(what) was refused (\(code)\(message))")
        }
        guard let key = S3XMLText.element("AccessKeyId", in: text), let secret = S3XMLText.element("SecretAccessKey", in: text),
              let token = S3XMLText.element("SessionToken", in: text) else {
            throw S3ConfigurationError.credentialSourceFailed(source: "STS at \(endpoint)", detail: "\(what): the answer has no Credentials")
        }
        let expiration = S3XMLText.element("Expiration", in: text).flatMap(TemporaryCredentialsDocument.parseDate)
        return ExpiringCredentials(credentials: AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: token, source: source),
                                   expiration: expiration)
    }
}
