import APIMachinery
@testable import Node
import XCTest

final class ImageCatalogTests: XCTestCase {
    func testBuiltInImagesMatchEveryTagAndRegistrySpelling() {
        let catalog = ImageCatalog.builtIn
        XCTAssertEqual(catalog.entry(for: "redis")?.args, ["redis-server"])
        XCTAssertEqual(catalog.entry(for: "redis:7.2-alpine")?.workingDir, "/data")
        XCTAssertEqual(catalog.entry(for: "docker.io/library/redis:7@sha256:abc")?.package, "redis-server")
        XCTAssertEqual(catalog.entry(for: "registry.k8s.io/pause:3.10")?.entrypoint, ["sleep", "infinity"])
        XCTAssertEqual(catalog.entry(for: "nginx:1.27")?.args, ["nginx", "-g", "daemon off;"])
        XCTAssertNil(catalog.entry(for: "quay.io/example/unknown:1"))
        XCTAssertNil(catalog.entry(for: "myregistry:5000/redis"), "a registry with a port is another image")
    }

    func testFileEntriesOverrideBuiltInsAndTagGlobsAreMoreSpecific() throws {
        let yaml = """
            images:
            - image: redis
              entrypoint: [/usr/local/bin/my-redis]
              package: my-redis
            - image: redis:6*
              args: [redis-server, --port, 6380]
              env: {MODE: old, PORT: 6380}
              workingDir: /srv
            """
        let catalog = ImageCatalog.builtIn.adding(try ImageCatalogFile.parse(Array(yaml.utf8)))
        XCTAssertEqual(catalog.entry(for: "redis:7")?.entrypoint, ["/usr/local/bin/my-redis"])
        let old = try XCTUnwrap(catalog.entry(for: "redis:6.2"))
        XCTAssertEqual(old.args, ["redis-server", "--port", "6380"])
        XCTAssertEqual(old.env.map(\.name), ["MODE", "PORT"])
        XCTAssertEqual(old.env.map(\.value), ["old", "6380"])
        XCTAssertEqual(old.workingDir, "/srv")
        XCTAssertEqual(catalog.entry(for: "busybox")?.args, ["sh"], "built-ins not named in the file stay")
    }

    func testAListAtTheTopLevelAndEnvAsNameValuePairs() throws {
        let yaml = "- image: tool\n  command: tool-bin\n  env:\n  - {name: A, value: \"1\"}\n"
        let entries = try ImageCatalogFile.parse(Array(yaml.utf8))
        XCTAssertEqual(entries, [ImageCatalogEntry(image: "tool", entrypoint: ["tool-bin"], env: [("A", "1")])])
    }

    func testBadFilesSayWhatIsWrongAndWhere() {
        func error(_ yaml: String) -> String {
            do { _ = try ImageCatalogFile.parse(Array(yaml.utf8)); return "parsed" } catch { return error.description }
        }
        XCTAssertEqual(error("images:\n- image: x\n  args: [a]\n  colour: red\n"), "images[0]: unknown field \"colour\"")
        XCTAssertEqual(error("images:\n- args: [a]\n"), "images[0].image: required")
        XCTAssertEqual(error("images:\n- image: x\n"), "images[0]: entrypoint or args required")
        XCTAssertEqual(error("images:\n- image: x\n  args: [a]\n  workingDir: data\n"), "images[0].workingDir: must be an absolute path")
        XCTAssertEqual(error("just text"), "expected a list of images or a mapping with `images:`")
        XCTAssertTrue(error("images: [\n").hasPrefix("yaml: "), error("images: [\n"))
    }

    func testLoadingAMissingFileNamesIt() {
        XCTAssertThrowsError(try ImageCatalogFile.load(path: "/nonexistent/catalog.yaml")) { error in
            XCTAssertEqual("\(error)", "image catalog /nonexistent/catalog.yaml: cannot read the file")
        }
    }
}
