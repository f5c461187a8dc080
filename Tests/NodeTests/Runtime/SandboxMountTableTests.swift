import XCTest
@testable import Node

final class SandboxMountTableTests: XCTestCase {
    func testAPodWithoutARootOfItsOwnMountsHostPaths() {
        let table = SandboxMountTable(mounts: [.init(source: "/v/data", target: "/data", readOnly: false),
                                               .init(source: "/v/hosts", target: "/etc/hosts", readOnly: false),
                                               .init(source: "/v/token", target: "/var/run/secrets/kubernetes.io/serviceaccount", readOnly: true)],
                                      rootDirectory: nil, isDirectory: { $0 != "/v/hosts" })
        XCTAssertEqual(table.root, "")
        XCTAssertEqual(table.mounts, """
            /v/data /data none bind 0 0
            /v/hosts /etc/hosts none bind 0 0
            /v/token /var/run/secrets/kubernetes.io/serviceaccount none bind,ro 0 0

            """)
        XCTAssertEqual(table.directories, ["/data", "/etc", "/var/run/secrets/kubernetes.io/serviceaccount"])
        XCTAssertEqual(table.files, ["/etc/hosts"])
    }

    func testAPodWithARootOfItsOwnGetsAnOverlayAndSourcesUnderTheOldRoot() {
        let table = SandboxMountTable(mounts: [.init(source: "/v/d", target: "/d", readOnly: false)],
                                      rootDirectory: "/pods/p/root", isDirectory: { _ in true })
        XCTAssertEqual(table.root, """
            overlay /pods/p/root/rootfs overlay lowerdir=/,upperdir=/pods/p/root/upper,workdir=/pods/p/root/work 0 0
            /dev /pods/p/root/rootfs/dev none rbind 0 0
            /sys /pods/p/root/rootfs/sys none rbind 0 0

            """)
        XCTAssertEqual(table.mounts, "/.oldroot/v/d /d none bind 0 0\n")
    }

    func testFieldsAreEscapedAsFstabWants() {
        XCTAssertEqual(SandboxMountTable.escape("/a b\\c\td\ne"), "/a\\040b\\134c\\011d\\012e")
        let table = SandboxMountTable(mounts: [.init(source: "/my vol", target: "/mnt/my vol", readOnly: false)],
                                      rootDirectory: nil, isDirectory: { _ in true })
        XCTAssertEqual(table.mounts, "/my\\040vol /mnt/my\\040vol none bind 0 0\n")
    }
}
