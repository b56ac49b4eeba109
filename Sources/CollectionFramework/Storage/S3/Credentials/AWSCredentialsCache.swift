import Foundation

/// Temporary credentials and when they stop working.
public struct ExpiringCredentials: Sendable {
    public var credentials: AWSCredentials
    /// Nil for credentials that do not expire (a `credential_process` may say so).
    public var expiration: Date?

    public init(credentials: AWSCredentials, expiration: Date?) {
        self.credentials = credentials
        self.expiration = expiration
    }
}

/// Holds temporary credentials (STS, the container endpoint, instance metadata, a credential process)
/// and fetches new ones before they expire, because `scraper serve` runs for months.
///
/// Credentials are refreshed when less than ``refreshMargin`` of their life is left (5 minutes, as the
/// AWS SDKs do). One refresh runs at a time; callers during it wait for its result. A failed refresh
/// while the old credentials still work keeps them (and tries again on the next call); once they have
/// expired, the failure is thrown.
public actor AWSCredentialsCache {
    public static let refreshMargin: TimeInterval = 300

    /// Where these credentials come from, for messages (e.g. `web identity role arn:aws:iam::1:role/r`).
    public nonisolated let sourceDescription: String
    private let fetch: @Sendable () async throws -> ExpiringCredentials
    private let now: @Sendable () -> Date
    private var current: ExpiringCredentials
    private var refreshing: Task<ExpiringCredentials, any Error>?

    /// `initial` was just fetched by `fetch`, which is called again for each refresh.
    public init(initial: ExpiringCredentials, sourceDescription: String, now: @escaping @Sendable () -> Date = Date.init,
                fetch: @escaping @Sendable () async throws -> ExpiringCredentials) {
        self.current = initial
        self.sourceDescription = sourceDescription
        self.fetch = fetch
        self.now = now
    }

    /// Credentials valid for at least a few more minutes.
    public func credentials() async throws -> AWSCredentials {
        guard let expiration = current.expiration, expiration.timeIntervalSince(now()) < Self.refreshMargin else {
            return current.credentials
        }
        let task: Task<ExpiringCredentials, any Error>
        if let refreshing {
            task = refreshing
        } else {
            let fetch = self.fetch
            task = Task { try await fetch() }
            refreshing = task
        }
        defer { refreshing = nil }
        do {
            current = try await task.value
            SecretRedactor.shared.register(current.credentials.secretAccessKey)
            SecretRedactor.shared.register(current.credentials.sessionToken)
        } catch {
            if expiration > now() { return current.credentials }
            throw S3ConfigurationError.credentialRefreshFailed(source: sourceDescription, detail: "\(error)")
        }
        return current.credentials
    }
}
