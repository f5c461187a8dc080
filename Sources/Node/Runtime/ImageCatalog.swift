import APIMachinery
import Foundation

/// What an image means on this machine: Kubelite pulls nothing, so an image is mapped to a program
/// already installed (from a Debian package) with the image's ENTRYPOINT, CMD, WORKDIR and ENV.
public struct ImageCatalogEntry: Sendable, Equatable {
    /// `name` matches every tag of the image; `name:tag` one tag, where the tag may be a glob
    /// (`7*`). Names are compared normalized (`docker.io/library/redis` is `redis`).
    public var image: String
    /// The image's ENTRYPOINT (replaced by a container's `command`).
    public var entrypoint: [String]
    /// The image's CMD (replaced by a container's `args`, or dropped when `command` is given).
    public var args: [String]
    public var workingDir: String?
    public var env: [(name: String, value: String)]
    /// The Debian package that provides the program, named when it is missing.
    public var package: String?
    /// The program that must be installed, when the ENTRYPOINT is a script around it.
    public var requires: String?

    public init(image: String, entrypoint: [String] = [], args: [String] = [], workingDir: String? = nil,
                env: [(name: String, value: String)] = [], package: String? = nil, requires: String? = nil) {
        self.image = image; self.entrypoint = entrypoint; self.args = args
        self.workingDir = workingDir; self.env = env; self.package = package; self.requires = requires
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.image == b.image && a.entrypoint == b.entrypoint && a.args == b.args && a.workingDir == b.workingDir
            && a.env.map(\.name) == b.env.map(\.name) && a.env.map(\.value) == b.env.map(\.value) && a.package == b.package
            && a.requires == b.requires
    }

    /// The program the image runs when the container names none (ENTRYPOINT, else CMD).
    public var program: String? { requires ?? entrypoint.first ?? args.first }
}

/// The images a process runtime can run, the built-in defaults overridden by `--image-catalog`.
/// Later entries win over earlier ones, so a file's entry replaces a built-in of the same pattern
/// and a more specific `name:tag` entry may be added after a `name` entry.
public struct ImageCatalog: Sendable {
    public private(set) var entries: [ImageCatalogEntry]

    public init(entries: [ImageCatalogEntry]) { self.entries = entries }

    /// The images of courses and client test suites, as their official images run them.
    public static let builtIn = ImageCatalog(entries: [
        ImageCatalogEntry(image: "redis", entrypoint: ["/bin/sh", "-c", redisEntrypoint, "docker-entrypoint.sh"], args: ["redis-server"],
                          workingDir: "/data", package: "redis-server", requires: "redis-server"),
        // busybox's own `sh` when installed; the host's shell utilities otherwise (`sh` is always there).
        ImageCatalogEntry(image: "busybox", args: ["sh"], package: "busybox"),
        ImageCatalogEntry(image: "nginx", args: ["nginx", "-g", "daemon off;"], package: "nginx"),
        ImageCatalogEntry(image: "python", args: ["python3"], package: "python3"),
        ImageCatalogEntry(image: "pause", entrypoint: ["sleep", "infinity"], package: "coreutils"),
        ImageCatalogEntry(image: "registry.k8s.io/pause", entrypoint: ["sleep", "infinity"], package: "coreutils"),
    ])

    /// The official redis image's docker-entrypoint.sh as far as it matters here: arguments that are
    /// options or a `.conf` file run redis-server with them. The image's redis-server is built with
    /// protected mode off (so other pods can connect without a password); Debian's is not, so it is
    /// turned off on the command line unless the arguments set it.
    static let redisEntrypoint = """
        if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then set -- redis-server "$@"; fi
        if [ "$1" = redis-server ]; then case " $* " in *" --protected-mode "*) ;; *) set -- "$@" --protected-mode no ;; esac; fi
        exec "$@"
        """

    /// The entry for `image`: the last one whose pattern matches.
    public func entry(for image: String) -> ImageCatalogEntry? {
        let (name, tag) = Self.normalize(image)
        return entries.last { entry in
            let (patternName, patternTag) = Self.normalize(entry.image)
            guard patternName == name else { return false }
            guard let patternTag else { return true }
            return fnmatch(patternTag, tag ?? "latest", 0) == 0
        }
    }

    /// This catalog with `more` added after its own entries (so they override).
    public func adding(_ more: [ImageCatalogEntry]) -> ImageCatalog { ImageCatalog(entries: entries + more) }

    /// Splits an image reference into its normalized repository and its tag (nil when it has
    /// none); a digest is dropped, Docker Hub's `docker.io/` and `library/` prefixes too.
    static func normalize(_ image: String) -> (name: String, tag: String?) {
        var reference = image
        if let at = reference.firstIndex(of: "@") { reference = String(reference[..<at]) }
        var tag: String?
        if let colon = reference.lastIndex(of: ":"), !reference[colon...].contains("/") {
            tag = String(reference[reference.index(after: colon)...])
            reference = String(reference[..<colon])
        }
        for prefix in ["docker.io/", "index.docker.io/", "library/"] where reference.hasPrefix(prefix) {
            reference.removeFirst(prefix.count)
        }
        return (reference, tag)
    }
}
