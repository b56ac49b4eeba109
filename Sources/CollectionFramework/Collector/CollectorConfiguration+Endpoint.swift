import Foundation

extension CollectorConfiguration {
    /// The address to fetch from: `apiURL` when the configuration gives one (a mirror, the
    /// simulator), else `defaultEndpoint`. Throws ``CollectorError/invalidArgument(_:)`` when
    /// `apiURL` is not an absolute `http://` or `https://` address.
    public func endpoint(default defaultEndpoint: String) throws -> String {
        guard let apiURL else { return defaultEndpoint }
        let lower = apiURL.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://"), URL(string: apiURL)?.host != nil else {
            throw CollectorError.invalidArgument(
                "invalid api_url \(String(reflecting: apiURL)) for \(name): give an absolute http:// or https:// address")
        }
        return apiURL
    }
}
