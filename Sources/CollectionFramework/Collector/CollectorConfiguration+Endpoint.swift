import Foundation

extension CollectorConfiguration {
    /// The address to fetch from: `apiURL` when the configuration gives one (a mirror, the
    /// simulator), else `defaultEndpoint`. Throws ``CollectorError/invalidArgument(_:)`` when
    /// `apiURL` is not an absolute `http://` or `https://` address.
    public func endpoint(default defaultEndpoint: String) throws -> String {
        guard let apiURL else { return defaultEndpoint }
        guard CollectorConfiguration.isHTTPAddress(apiURL) else {
            throw CollectorError.invalidArgument(
                "invalid api_url \(String(reflecting: apiURL)) for \(name): give an absolute http:// or https:// address")
        }
        return apiURL
    }

    /// True for an absolute `http://` or `https://` address with a host: the one check every
    /// api_url (command line, collectors.yaml, collector construction) goes through.
    public static func isHTTPAddress(_ text: String) -> Bool {
        let lower = text.lowercased()
        return (lower.hasPrefix("http://") || lower.hasPrefix("https://")) && URL(string: text)?.host?.isEmpty == false
    }
}
