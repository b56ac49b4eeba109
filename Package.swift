// swift-tools-version:6.2
import PackageDescription

import Foundation

/// Every Swift target of ours is compiled in Swift 6 language mode (complete data-race checking)
/// with `any` required for existentials. In CI (`CI=true`) any warning in our targets fails the
/// build; dependencies are not affected.
let warningsAsErrors = ProcessInfo.processInfo.environment["CI"] == "true"
    || ProcessInfo.processInfo.environment["SCRAPER_WARNINGS_AS_ERRORS"] == "1"
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
] + (warningsAsErrors ? [.treatAllWarnings(as: .error)] : [])

let package = Package(
    name: "scraper",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "scraper", targets: ["Runner"]),
        .executable(name: "miso-sim", targets: ["MisoSimulator"]),
        .library(name: "CollectionFramework", targets: ["CollectionFramework"]),
        .library(name: "Collectors", targets: ["Collectors"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // C libraries, found with pkg-config (see README: apt-get install ...-dev).
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CHiredis", pkgConfig: "hiredis", providers: [.apt(["libhiredis-dev"])]),
        .systemLibrary(name: "CRdKafka", pkgConfig: "rdkafka", providers: [.apt(["librdkafka-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),

        // The bounded pool of dedicated threads that every blocking C call runs on.
        .target(
            name: "BlockingIO",
            dependencies: [],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CollectionFramework",
            dependencies: [
                "BlockingIO", "CCurl", "CZlib", "CHiredis", "CRdKafka", "CSQLite",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // `scraper bench`: the performance measurements, kept out of the shipped framework.
        .target(
            name: "Benchmarks",
            dependencies: ["CollectionFramework", "BlockingIO", "LoopbackHTTP", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Collectors",
            dependencies: ["CollectionFramework"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "LoopbackHTTP",
            dependencies: ["BlockingIO"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "MisoSimulator",
            dependencies: [
                "LoopbackHTTP", "CZlib",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "Runner",
            dependencies: [
                "CollectionFramework", "Collectors", "Benchmarks", "LoopbackHTTP", "BlockingIO",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),

        // Test-only helpers: free ports, child server processes, temporary directories.
        .target(
            name: "TestSupport",
            dependencies: ["CollectionFramework", "BlockingIO", "CRdKafka", "CHiredis"],
            path: "Tests/TestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CollectionFrameworkTests",
            dependencies: ["CollectionFramework", "BlockingIO", "LoopbackHTTP", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BenchmarksTests",
            dependencies: ["Benchmarks", "CollectionFramework", "TestSupport", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CollectorsTests",
            dependencies: ["Collectors", "CollectionFramework", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BackendTests",
            dependencies: ["CollectionFramework", "BlockingIO", "LoopbackHTTP", "TestSupport", "CRdKafka", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["CollectionFramework", "TestSupport", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
    ]
)
