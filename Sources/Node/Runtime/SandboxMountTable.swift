import Foundation

/// The sandbox's mounts as fstab files that one `mount --all --fstab` each makes: a process per
/// table instead of one (or three) per mount, which was most of a pod's start-up time. libmount
/// parses a regular file only (not a pipe), so the tables are written beside the pod.
struct SandboxMountTable: Equatable {
    /// The pod's root: its overlay of the host's `/`, then the host's /dev and /sys under it
    /// (empty without a root of its own).
    var root: String
    /// The volume and file mounts, made after pivot_root when the pod has a root of its own
    /// (sources under `/.oldroot`).
    var mounts: String
    /// Directories to create before mounting: directory targets and the parents of file targets.
    var directories: [String]
    /// File targets (/etc/hosts, a subPath file) that must exist as files to be mounted over.
    var files: [String]

    /// Where the old root is while the pod's mounts are made.
    static let oldRoot = "/.oldroot"

    init(mounts: [PodSandbox.Mount], rootDirectory: String?, isDirectory: (String) -> Bool = SandboxMountTable.isDirectory) {
        var root = ""
        if let base = rootDirectory {
            let rootfs = "\(base)/rootfs"
            root += Self.line("overlay", rootfs, type: "overlay", options: "lowerdir=/,upperdir=\(base)/upper,workdir=\(base)/work")
            root += Self.line("/dev", "\(rootfs)/dev", type: "none", options: "rbind")
            root += Self.line("/sys", "\(rootfs)/sys", type: "none", options: "rbind")
        }
        self.root = root
        var table = "", directories: [String] = [], files: [String] = []
        for m in mounts {
            // With a root of its own a source is found under the old root: links in its path are
            // resolved on the host first.
            let source = rootDirectory == nil ? m.source : Self.oldRoot + URL(fileURLWithPath: m.source).resolvingSymlinksInPath().path
            if isDirectory(m.source) {
                directories.append(m.target)
            } else {
                directories.append((m.target as NSString).deletingLastPathComponent)
                files.append(m.target)
            }
            table += Self.line(source, m.target, type: "none", options: m.readOnly ? "bind,ro" : "bind")
        }
        self.mounts = table
        self.directories = directories.reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
        self.files = files
    }

    static func isDirectory(_ path: String) -> Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
    }

    /// One fstab line; fields escaped as fstab(5) wants (octal for space, tab, newline and backslash).
    static func line(_ source: String, _ target: String, type: String, options: String) -> String {
        "\(escape(source)) \(escape(target)) \(type) \(escape(options)) 0 0\n"
    }

    static func escape(_ field: String) -> String {
        var out = ""
        for c in field.unicodeScalars {
            switch c {
            case " ": out += "\\040"
            case "\t": out += "\\011"
            case "\n": out += "\\012"
            case "\\": out += "\\134"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
