/// Settings of the shared HTTP client.
public struct HTTPClientConfiguration: Sendable, Equatable {
    public static let defaultUserAgent = "scraper/\(FrameworkVersion.current) (+https://github.com/scraper; energy market data collector)"

    public var userAgent: String
    /// Seconds allowed to establish a connection.
    public var connectTimeout: Double
    /// Responses larger than this many bytes are refused while being read.
    public var maxResponseBytes: Int
    /// PEM bundle of extra trusted CAs; verification itself is always on.
    public var caBundlePath: String?

    public init(userAgent: String = HTTPClientConfiguration.defaultUserAgent, connectTimeout: Double = 10,
                maxResponseBytes: Int = 512 * 1024 * 1024, caBundlePath: String? = nil) {
        self.userAgent = userAgent
        self.connectTimeout = connectTimeout
        self.maxResponseBytes = maxResponseBytes
        self.caBundlePath = caBundlePath
    }
}

/// The framework's version, reported in User-Agent and notifications.
public enum FrameworkVersion {
    public static let current = "0.1.0"
}
