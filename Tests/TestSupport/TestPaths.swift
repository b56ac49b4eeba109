import Foundation

/// Where the built products and the repository are, seen from a test.
public enum TestPaths {
    /// The repository root (found from this file's path).
    public static let packageRoot: URL = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }()

    /// The folder holding `scraper`, `miso-sim` and the test bundle (`.build/debug` or the scratch path in use).
    public static let productsDirectory: URL = {
        let bundle = Bundle.main.bundleURL
        for candidate in [bundle, bundle.deletingLastPathComponent()] {
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("scraper").path) { return candidate }
        }
        let args = CommandLine.arguments.first.map { URL(fileURLWithPath: $0).deletingLastPathComponent() }
        if let args, FileManager.default.fileExists(atPath: args.appendingPathComponent("scraper").path) { return args }
        return packageRoot.appendingPathComponent(".build/debug")
    }()

    /// Path of a built executable product.
    public static func product(_ name: String) -> String {
        productsDirectory.appendingPathComponent(name).path
    }

    /// A new empty temporary directory.
    public static func temporaryDirectory(_ label: String = "test") -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("scraper-\(label)-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Finds an executable on PATH (or common sbin folders), e.g. `redis-server`.
    public static func which(_ name: String) -> String? {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/sbin:/usr/bin:/usr/local/bin:/sbin"
        for dir in path.split(separator: ":") {
            let full = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: full) { return full }
        }
        return nil
    }
}
