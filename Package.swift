// swift-tools-version:6.0
import PackageDescription

// Kubelite runs on Linux only: it serves through libmicrohttpd, stores in SQLite, and its node runs
// pods in Linux namespaces. SwiftPM has no way to name Linux in `platforms`, so it is stated here and
// enforced below. Dependencies are kept lean on purpose: nothing that pulls in swift-nio (HTTP is
// libmicrohttpd).
#if !os(Linux)
#error("Kubelite builds on Linux only")
#endif

let package = Package(
    name: "kubelite",
    products: [
        .executable(name: "kubelite", targets: ["kubelite"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-collections", exact: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
        // RS256 service account tokens (_CryptoExtras) and the cluster's self-signed CA (X509).
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        .package(url: "https://github.com/apple/swift-certificates", exact: "1.21.1"),
        // DER values in certificates (IP address SANs); swift-certificates' own dependency.
        .package(url: "https://github.com/apple/swift-asn1.git", exact: "1.7.4"),
    ],
    targets: [
        .systemLibrary(
            name: "CMicroHTTPD",
            pkgConfig: "libmicrohttpd",
            providers: [.apt(["libmicrohttpd-dev", "libgnutls28-dev"])]
        ),
        // GnuTLS, for the etcd client's TLS (https:// members, --etcd-cafile/--etcd-certfile/--etcd-keyfile).
        .systemLibrary(
            name: "CGnuTLS",
            pkgConfig: "gnutls",
            providers: [.apt(["libgnutls28-dev"])]
        ),
        // Linux calls Swift's Glibc module does not import (close_range).
        .systemLibrary(name: "CLinux"),
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // zlib, for SPDY/3's compressed header blocks (kubectl port-forward's streams).
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // libsodium, for the secretbox encryption-at-rest provider.
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]
        ),
        .target(name: "HTTPServer", dependencies: [
            "CMicroHTTPD", "CZlib", "CLinux",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "APIMachinery", dependencies: [
            .product(name: "OrderedCollections", package: "swift-collections"),
            .product(name: "Yams", package: "Yams"),
        ]),
        .target(name: "Storage", dependencies: [
            "APIMachinery", "CSQLite", "CGnuTLS",
            .product(name: "DequeModule", package: "swift-collections"),
        ]),
        .target(name: "Registry", dependencies: ["APIMachinery", "Storage"]),
        // Encryption at rest (--encryption-provider-config): aescbc, aesgcm, secretbox and identity
        // providers as a storage value transformer.
        .target(name: "StorageEncryption", dependencies: [
            "APIMachinery", "Storage", "CSodium",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
        ]),
        // Informers, work queues, timers and retries: what every controller runs on.
        .target(name: "ControllerRuntime", dependencies: [
            "APIMachinery", "Storage", "Registry",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        // kube-controller-manager's share: workload controllers, garbage collector, endpoints, volumes.
        .target(name: "Controllers", dependencies: [
            "APIMachinery", "Storage", "Registry", "ControllerRuntime",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The scheduler and the kubelet with its runtime.
        .target(name: "Node", dependencies: [
            "APIMachinery", "Storage", "Registry", "ControllerRuntime", "CLinux",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The cluster DNS server, answering from informer caches.
        .target(name: "ClusterDNS", dependencies: [
            "APIMachinery", "ControllerRuntime",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The cluster's credentials: the service account signing key (RS256 JWTs, JWKS) and the
        // self-signed cluster CA whose certificate kube-root-ca.crt publishes.
        .target(name: "Credentials", dependencies: [
            "APIMachinery", "Registry",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
        ]),
        .target(name: "APIServer", dependencies: [
            "APIMachinery", "Storage", "Registry", "HTTPServer", "Credentials",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        .executableTarget(name: "kubelite", dependencies: [
            "APIServer", "HTTPServer", "Registry", "Storage", "APIMachinery",
            "ControllerRuntime", "Controllers", "Node", "ClusterDNS", "Credentials", "StorageEncryption",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Test support only (manual clock, waitUntil, barriers, in-process clusters): no production
        // target depends on it.
        .target(name: "KubeliteTesting", dependencies: [
            "APIMachinery", "Storage", "Registry", "ControllerRuntime",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "APIMachineryTests", dependencies: ["APIMachinery"]),
        .testTarget(name: "StorageTests", dependencies: ["Storage", "APIMachinery", "CSQLite", "KubeliteTesting"]),
        .testTarget(name: "StorageEncryptionTests", dependencies: ["StorageEncryption", "Storage", "APIMachinery"]),
        .testTarget(name: "RegistryTests", dependencies: ["Registry", "Storage", "APIMachinery", "KubeliteTesting"]),
        .testTarget(name: "HTTPServerTests", dependencies: [
            "HTTPServer", "KubeliteTesting", .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "ControllerRuntimeTests", dependencies: [
            "ControllerRuntime", "Registry", "Storage", "APIMachinery", "KubeliteTesting",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        .testTarget(name: "ControllersTests", dependencies: [
            "Controllers", "ControllerRuntime", "Node", "Registry", "Storage", "APIMachinery", "KubeliteTesting",
        ]),
        .testTarget(name: "NodeTests", dependencies: [
            "Node", "ControllerRuntime", "Registry", "Storage", "APIMachinery", "KubeliteTesting",
        ]),
        .testTarget(name: "ClusterDNSTests", dependencies: [
            "ClusterDNS", "Controllers", "ControllerRuntime", "Registry", "Storage", "APIMachinery", "KubeliteTesting",
        ]),
        .testTarget(name: "CredentialsTests", dependencies: [
            "Credentials", "Registry", "APIMachinery",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
            .product(name: "X509", package: "swift-certificates"),
        ]),
        .testTarget(name: "APIServerTests", dependencies: [
            "APIServer", "Credentials", "Registry", "Storage", "APIMachinery", "HTTPServer", "KubeliteTesting",
            .product(name: "Logging", package: "swift-log"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
