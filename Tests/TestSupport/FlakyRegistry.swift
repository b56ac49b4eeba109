import CollectionFramework
import Foundation
import Synchronization

/// Wraps a registry and fails `register` while ``failRegister`` is set, for crash-convergence tests.
public final class FlakyRegistry: HashRegistry, Sendable {
    public let inner: any HashRegistry
    private let failing = Mutex(true)

    public init(_ inner: any HashRegistry) { self.inner = inner }

    /// Whether `register` fails (true at first).
    public var failRegister: Bool {
        get { failing.withLock { $0 } }
        set { failing.withLock { $0 = newValue } }
    }

    public var displayName: String { "flaky" }
    public var environment: String { inner.environment }
    public func exists(sha256: String, datasetGroup: String) async throws -> Bool { try await inner.exists(sha256: sha256, datasetGroup: datasetGroup) }
    public func claim(sha256: String, datasetGroup: String, ttl: Int) async throws -> Bool { try await inner.claim(sha256: sha256, datasetGroup: datasetGroup, ttl: ttl) }
    public func releaseClaim(sha256: String, datasetGroup: String) async throws { try await inner.releaseClaim(sha256: sha256, datasetGroup: datasetGroup) }
    public func register(sha256: String, datasetGroup: String, record: RegistryRecord, ttl: Int) async throws {
        if failRegister { throw HashRegistryError.unavailable("registry went away") }
        try await inner.register(sha256: sha256, datasetGroup: datasetGroup, record: record, ttl: ttl)
    }
    public func get(sha256: String, datasetGroup: String) async throws -> RegistryRecord? { try await inner.get(sha256: sha256, datasetGroup: datasetGroup) }
    public func delete(sha256: String, datasetGroup: String) async throws -> Bool { try await inner.delete(sha256: sha256, datasetGroup: datasetGroup) }
    public func count(datasetGroup: String) async throws -> Int { try await inner.count(datasetGroup: datasetGroup) }
    public func list(datasetGroup: String?) async throws -> [RegisteredHash] { try await inner.list(datasetGroup: datasetGroup) }
    public func checkReachable() async throws {}
}
