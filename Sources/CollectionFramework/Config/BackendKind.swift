/// The storage backends `storage.type` can name. The raw values are the YAML spellings and appear
/// nowhere else: code outside the configuration parser uses the cases.
public enum StorageKind: String, Sendable, Equatable, CaseIterable {
    /// Files under a local directory (the default).
    case local
    /// An S3 bucket (AWS, LocalStack, MinIO, moto).
    case s3
}

/// The hash registries `registry.type` can name.
public enum RegistryKind: String, Sendable, Equatable, CaseIterable {
    /// SQLite in a local file (the default).
    case embedded
    /// A Redis server shared with the Python collectors.
    case redis
}

/// The notifiers `notifications.type` can name.
public enum NotifierKind: String, Sendable, Equatable, CaseIterable {
    /// Stored objects are not announced (the default).
    case none
    /// One Kafka message per stored object.
    case kafka
}

extension CaseIterable where Self: RawRepresentable, RawValue == String {
    /// Every spelling, in declaration order (for "must be one of" messages).
    static var spellings: [String] { allCases.map(\.rawValue) }
}
