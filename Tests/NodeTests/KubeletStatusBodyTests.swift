import APIMachinery
@testable import Node
import XCTest

/// The kubelet's status writes carry the pod's identity, the version they answer to and the
/// status, nothing of the spec (the status subresource would only decode it to drop it).
final class KubeletStatusBodyTests: XCTestCase {
    func testTheBodyIsIdentityVersionAndStatus() {
        let pod: JSON = ["apiVersion": "v1", "kind": "Pod",
                         "metadata": ["name": "web-0", "namespace": "ns", "uid": "u1", "resourceVersion": "42", "labels": ["a": "b"]],
                         "spec": ["containers": [["name": "c", "image": "redis"]]], "status": ["phase": "Pending"]]
        let body = KubeletSimulator.statusBody(["phase": "Running"], of: pod)
        XCTAssertEqual(body, ["apiVersion": "v1", "kind": "Pod",
                              "metadata": ["name": "web-0", "namespace": "ns", "uid": "u1", "resourceVersion": "42"],
                              "status": ["phase": "Running"]])
    }
}
