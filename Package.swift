// swift-tools-version:6.0
import PackageDescription

// Dependencies are kept lean on purpose: nothing that pulls in swift-nio (HTTP is libmicrohttpd).
let package = Package(
    name: "kubelite",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "kubelite", targets: ["kubelite"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-collections", exact: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CMicroHTTPD",
            pkgConfig: "libmicrohttpd",
            providers: [.apt(["libmicrohttpd-dev"])]
        ),
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .target(name: "HTTPServer", dependencies: [
            "CMicroHTTPD",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "APIMachinery", dependencies: [
            .product(name: "OrderedCollections", package: "swift-collections"),
            .product(name: "Yams", package: "Yams"),
        ]),
        .target(name: "Storage", dependencies: ["APIMachinery", "CSQLite"]),
        .target(name: "Registry", dependencies: ["APIMachinery", "Storage"]),
        .target(name: "Controllers", dependencies: [
            "APIMachinery", "Storage", "Registry",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "APIServer", dependencies: [
            "APIMachinery", "Storage", "Registry", "HTTPServer",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "kubelite", dependencies: [
            "APIServer", "HTTPServer", "Registry", "Storage", "APIMachinery", "Controllers",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "APIMachineryTests", dependencies: ["APIMachinery"]),
        .testTarget(name: "StorageTests", dependencies: ["Storage", "APIMachinery", "CSQLite"]),
        .testTarget(name: "RegistryTests", dependencies: ["Registry", "Storage", "APIMachinery"]),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer"]),
        .testTarget(name: "ControllersTests", dependencies: ["Controllers", "Registry", "Storage", "APIMachinery"]),
        .testTarget(name: "APIServerTests", dependencies: ["APIServer", "Registry", "Storage", "APIMachinery", "HTTPServer"]),
    ],
    swiftLanguageModes: [.v6]
)
