import XCTest
@testable import APIMachinery

/// Where the protobuf shape differs from JSON: times, quantities, IntOrString, inlined structs,
/// maps, packed lists, raw JSON, presence of zero values, merging and unknown fields.
final class ProtobufDecodeTests: XCTestCase {
    private let meta = ProtobufBytes().string(1, "x")

    func testTimeDropsNanosAndEmptyTimeIsNull() {
        let metadata = meta
            .message(8, ProtobufBytes().varint(1, 1_704_067_200).varint(2, 999_999_999))
            .message(9, ProtobufBytes())
        assertDecodes(ProtobufBytes.envelope(apiVersion: "v1", kind: "ConfigMap", ProtobufBytes().message(1, metadata)), #"""
        {"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"x","creationTimestamp":"2024-01-01T00:00:00Z","deletionTimestamp":null}}
        """#)
    }

    func testMicroTimeKeepsMicrosecondsAndPointerZerosStay() {
        let spec = ProtobufBytes()
            .string(1, "holder")
            .varint(2, 0)
            .message(3, ProtobufBytes().varint(1, 1_704_067_200).varint(2, 123_456_789))
            .message(4, ProtobufBytes().varint(1, -1).varint(2, 1_500_000_000))
        let lease = ProtobufBytes().message(1, meta).message(2, spec)
        assertDecodes(ProtobufBytes.envelope(apiVersion: "coordination.k8s.io/v1", kind: "Lease", lease), #"""
        {"kind":"Lease","apiVersion":"coordination.k8s.io/v1","metadata":{"name":"x"},
         "spec":{"holderIdentity":"holder","leaseDurationSeconds":0,"acquireTime":"2024-01-01T00:00:00.123456Z",
                 "renewTime":"1970-01-01T00:00:00.500000Z"}}
        """#)
    }

    func testPodWithQuantitiesProbesInlinedVolumesAndPackedLists() {
        let probe = ProtobufBytes()
            .message(1, ProtobufBytes().message(2, ProtobufBytes().string(1, "/").message(2, ProtobufBytes().varint(1, 1).string(3, "http"))))
            .varint(4, 5)
            .varint(2, 0)
        let resources = ProtobufBytes()
            .message(1, ProtobufBytes().string(1, "memory").message(2, ProtobufBytes().string(1, "128Mi")))
            .message(2, ProtobufBytes().string(1, "cpu").message(2, ProtobufBytes().string(1, "250m")))
            .message(2, ProtobufBytes().string(1, "memory"))
        let container = ProtobufBytes().string(1, "app").string(2, "nginx").message(8, resources).message(11, probe)
            .varint(16, 0).string(13, "")
        let volume = ProtobufBytes().string(1, "data")
            .message(2, ProtobufBytes().message(10, ProtobufBytes().string(1, "data-web-0")))
        let packed = ProtobufBytes.varint(1) + ProtobufBytes.varint(2) + ProtobufBytes.varint(300)
        let securityContext = ProtobufBytes().bytes(4, packed).varint(4, 7)
        let spec = ProtobufBytes().message(1, volume).message(2, container).message(14, securityContext).varint(11, 0)
        let pod = ProtobufBytes().message(1, meta).message(2, spec)
        assertDecodes(ProtobufBytes.envelope(apiVersion: "v1", kind: "Pod", pod), #"""
        {"kind":"Pod","apiVersion":"v1","metadata":{"name":"x"},
         "spec":{"volumes":[{"name":"data","persistentVolumeClaim":{"claimName":"data-web-0"}}],
                 "containers":[{"name":"app","image":"nginx",
                   "resources":{"limits":{"memory":"128Mi"},"requests":{"cpu":"250m","memory":"0"}},
                   "readinessProbe":{"httpGet":{"path":"/","port":"http"},"periodSeconds":5}}],
                 "securityContext":{"supplementalGroups":[1,2,300,7]}}}
        """#)
    }

    func testRequiredValueZerosStayOmitemptyZerosGo() {
        let port = ProtobufBytes().string(1, "").varint(3, 0).varint(5, 0)
            .message(4, ProtobufBytes().varint(1, 0).varint(2, 0).string(3, ""))
        let spec = ProtobufBytes().message(1, port).varint(12, 0).varint(13, 0).string(3, "")
        let service = ProtobufBytes().message(1, meta).message(2, spec).message(3, ProtobufBytes())
        assertDecodes(ProtobufBytes.envelope(apiVersion: "v1", kind: "Service", service), #"""
        {"kind":"Service","apiVersion":"v1","metadata":{"name":"x"},"spec":{"ports":[{"port":0,"targetPort":0}]},"status":{}}
        """#)
    }

    func testNegativeInt32AndPointerReplicas() {
        let spec = ProtobufBytes().varint(1, -1).varint(9, 0).string(5, "svc")
        let statefulSet = ProtobufBytes().message(1, meta).message(2, spec)
        assertDecodes(ProtobufBytes.envelope(apiVersion: "apps/v1", kind: "StatefulSet", statefulSet), #"""
        {"kind":"StatefulSet","apiVersion":"apps/v1","metadata":{"name":"x"},"spec":{"replicas":-1,"serviceName":"svc"}}
        """#)
    }

    func testRawExtensionAndFieldsV1CarryJSON() {
        let managed = ProtobufBytes().string(1, "kubectl").string(2, "Update").string(6, "FieldsV1")
            .message(7, ProtobufBytes().string(1, #"{"f:data":{".":{}}}"#))
        let revision = ProtobufBytes()
            .message(1, meta.message(17, managed))
            .message(2, ProtobufBytes().string(1, #"{"spec":{"replicas":1}}"#))
            .varint(3, 0)
        assertDecodes(ProtobufBytes.envelope(apiVersion: "apps/v1", kind: "ControllerRevision", revision), #"""
        {"kind":"ControllerRevision","apiVersion":"apps/v1",
         "metadata":{"name":"x","managedFields":[{"manager":"kubectl","operation":"Update","fieldsType":"FieldsV1","fieldsV1":{"f:data":{".":{}}}}]},
         "data":{"spec":{"replicas":1}},"revision":0}
        """#)
    }

    func testUnknownFieldsAreSkipped() {
        let group = ProtobufBytes.key(50, 3) + ProtobufBytes.key(51, 0) + [1] + ProtobufBytes.key(52, 3)
            + ProtobufBytes.key(52, 4) + ProtobufBytes.key(50, 4)
        let configMap = ProtobufBytes()
            .varint(99, 5)
            .raw(ProtobufBytes.key(98, 1) + [1, 2, 3, 4, 5, 6, 7, 8])
            .raw(ProtobufBytes.key(97, 5) + [1, 2, 3, 4])
            .string(96, "ignored")
            .raw(group)
            .message(1, meta.varint(40, 1))
            .entry(2, "k", "v")
        assertDecodes(ProtobufBytes.envelope(apiVersion: "v1", kind: "ConfigMap", configMap), #"""
        {"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"x"},"data":{"k":"v"}}
        """#)
    }

    func testRepeatedSingularFieldsMergeAndLastScalarWins() {
        let configMap = ProtobufBytes()
            .message(1, ProtobufBytes().string(1, "first"))
            .message(1, ProtobufBytes().string(3, "ns").string(1, "second"))
            .entry(2, "k", "1").entry(2, "k", "2")
            .message(2, ProtobufBytes().string(2, "no-key"))
            .message(3, ProtobufBytes().string(1, "empty"))
        assertDecodes(ProtobufBytes.envelope(apiVersion: "v1", kind: "ConfigMap", configMap), #"""
        {"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"second","namespace":"ns"},
         "data":{"k":"2","":"no-key"},"binaryData":{"empty":""}}
        """#)
    }

    func testAbsentRawIsAnObjectWithTypeOnly() {
        assertDecodes(ProtobufBytes.envelope(apiVersion: "v1", kind: "Namespace", nil), #"{"kind":"Namespace","apiVersion":"v1"}"#)
    }

    func testDeleteOptionsDecodeInEitherGroup() {
        let options = ProtobufBytes().varint(1, 0).string(4, "Foreground").string(5, "All")
        for apiVersion in ["v1", "apps/v1"] {
            assertDecodes(ProtobufBytes.envelope(apiVersion: apiVersion, kind: "DeleteOptions", options), #"""
            {"kind":"DeleteOptions","apiVersion":"\#(apiVersion)","gracePeriodSeconds":0,"propagationPolicy":"Foreground","dryRun":["All"]}
            """#)
        }
    }

    func testEveryServedKindAndDefinitionHasALayout() {
        let layouts = ProtobufLayouts.upstream
        // CustomResourceDefinitions are read as JSON only (their types are not in kubectl's protos).
        let jsonOnly = "io.k8s.apiextensions-apiserver."
        for (kind, definition) in SchemaSet.upstream.kinds where !definition.hasPrefix(jsonOnly) {
            XCTAssertNotNil(layouts[definition], "\(kind)")
        }
        for definition in SchemaSet.upstream.definitions.keys where !definition.hasPrefix(jsonOnly)
            && (!definition.hasPrefix("io.k8s.apimachinery.pkg.") || definition.contains(".meta.v1.")) {
            if ["Time", "MicroTime", "FieldsV1"].contains(where: { definition.hasSuffix(".meta.v1." + $0) }) { continue }
            XCTAssertNotNil(layouts[definition], definition)
        }
        for layout in layouts.values {
            for field in layout.fields {
                switch field.kind {
                case .message(let target), .inline(let target), .map(.message(let target)):
                    XCTAssertNotNil(layouts[target], "\(layout.definition).\(field.jsonName) -> \(target)")
                default: break
                }
            }
        }
    }
}
