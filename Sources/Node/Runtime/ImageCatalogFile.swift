import APIMachinery
import Foundation

/// Reads `--image-catalog FILE`: YAML (or JSON) with a list of images, either at the top level or
/// under `images:`:
///
///     images:
///     - image: redis:7*          # name, or name:tag with a glob tag
///       entrypoint: [redis-server]
///       args: [--appendonly, "yes"]
///       workingDir: /data
///       env: {REDIS_PORT: "6379"}  # or a list of {name, value}
///       package: redis-server
///       requires: redis-server  # the program that must be installed (when the entrypoint is a script)
///
/// Any error stops startup, with the file and the entry's path in the message.
public enum ImageCatalogFile {
    public struct ParseError: Error, CustomStringConvertible, Equatable {
        public var description: String
    }

    public static func load(path: String) throws(ParseError) -> [ImageCatalogEntry] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ParseError(description: "image catalog \(path): cannot read the file")
        }
        do {
            return try parse(Array(data))
        } catch {
            throw ParseError(description: "image catalog \(path): \(error.description)")
        }
    }

    public static func parse(_ bytes: [UInt8]) throws(ParseError) -> [ImageCatalogEntry] {
        let document: JSON
        do {
            document = try YAMLCodec.decode(bytes).value
        } catch {
            throw ParseError(description: error.message)
        }
        let list: [JSON]
        if let top = document.arrayValue {
            list = top
        } else if let images = document["images"]?.arrayValue {
            list = images
        } else if document.isNull {
            list = []
        } else {
            throw ParseError(description: "expected a list of images or a mapping with `images:`")
        }
        var entries: [ImageCatalogEntry] = []
        for (index, item) in list.enumerated() {
            entries.append(try entry(item, path: "images[\(index)]"))
        }
        return entries
    }

    static let fields: Set<String> = ["image", "entrypoint", "command", "args", "workingDir", "env", "package", "requires"]

    static func entry(_ item: JSON, path: String) throws(ParseError) -> ImageCatalogEntry {
        guard let object = item.objectValue else { throw ParseError(description: "\(path): expected a mapping") }
        if let unknown = object.keys.first(where: { !fields.contains($0) }) {
            throw ParseError(description: "\(path): unknown field \"\(unknown)\"")
        }
        guard let image = item["image"]?.stringValue, !image.isEmpty else {
            throw ParseError(description: "\(path).image: required")
        }
        let entrypoint = try strings(item["entrypoint"] ?? item["command"], path: "\(path).entrypoint")
        let args = try strings(item["args"], path: "\(path).args")
        guard !entrypoint.isEmpty || !args.isEmpty else {
            throw ParseError(description: "\(path): entrypoint or args required")
        }
        var workingDir: String?
        if let dir = item["workingDir"] {
            guard let s = dir.stringValue, s.hasPrefix("/") else { throw ParseError(description: "\(path).workingDir: must be an absolute path") }
            workingDir = s
        }
        var package: String?
        if let p = item["package"] {
            guard let s = p.stringValue else { throw ParseError(description: "\(path).package: must be a string") }
            package = s
        }
        var requires: String?
        if let r = item["requires"] {
            guard let s = r.stringValue else { throw ParseError(description: "\(path).requires: must be a string") }
            requires = s
        }
        return ImageCatalogEntry(image: image, entrypoint: entrypoint, args: args, workingDir: workingDir,
                                 env: try env(item["env"], path: "\(path).env"), package: package, requires: requires)
    }

    static func strings(_ value: JSON?, path: String) throws(ParseError) -> [String] {
        guard let value, !value.isNull else { return [] }
        if let s = value.stringValue { return [s] }
        guard let list = value.arrayValue else { throw ParseError(description: "\(path): must be a list of strings") }
        var out: [String] = []
        for item in list {
            guard let s = scalar(item) else { throw ParseError(description: "\(path): must be a list of strings") }
            out.append(s)
        }
        return out
    }

    static func env(_ value: JSON?, path: String) throws(ParseError) -> [(name: String, value: String)] {
        guard let value, !value.isNull else { return [] }
        if let map = value.objectValue {
            var out: [(name: String, value: String)] = []
            for (k, v) in map {
                guard let s = scalar(v) else { throw ParseError(description: "\(path).\(k): must be a string") }
                out.append((k, s))
            }
            return out
        }
        guard let list = value.arrayValue else { throw ParseError(description: "\(path): must be a mapping or a list of {name, value}") }
        var out: [(name: String, value: String)] = []
        for (i, item) in list.enumerated() {
            guard let name = item["name"]?.stringValue, let v = item["value"].flatMap(scalar) else {
                throw ParseError(description: "\(path)[\(i)]: needs name and value")
            }
            out.append((name, v))
        }
        return out
    }

    /// YAML 1.1 reads `yes` and `6379` as a bool and a number; catalog values are strings.
    static func scalar(_ value: JSON) -> String? {
        switch value {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .bool(let b): return b ? "true" : "false"
        default: return nil
        }
    }
}
