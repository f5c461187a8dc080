import XCTest
@testable import APIMachinery

final class SchemaStructuralDecoderTests: XCTestCase {
    let decoder = StructuralDecoder()
    let statefulSet = GroupVersionKind(group: "apps", version: "v1", kind: "StatefulSet")
    let pod = GroupVersionKind(group: "", version: "v1", kind: "Pod")

    private func decode(_ text: String, _ kind: GroupVersionKind? = nil) throws -> StructuralDecoder.Result {
        let parsed = try JSONParser.parse(text)
        return try XCTUnwrap(decoder.decode(parsed.value, kind: kind ?? statefulSet, duplicateFields: parsed.duplicateFields))
    }

    /// /work/shared/seed/redis-pv-sts.yml as JSON.
    static let seedStatefulSet = #"""
    {"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"redis-pv-sts"},
     "spec":{"serviceName":"redis-pv-svc",
       "volumeClaimTemplates":[{"metadata":{"name":"redis-100m-pvc"},"spec":{"storageClassName":"nfs-client",
         "accessModes":["ReadWriteMany"],"resources":{"requests":{"storage":"100Mi"}}}}],
       "replicas":2,"selector":{"matchLabels":{"app":"redis-pv-sts"}},
       "template":{"metadata":{"labels":{"app":"redis-pv-sts"}},"spec":{"containers":[{"image":"redis:5-alpine","name":"redis",
         "ports":[{"containerPort":6379}],"volumeMounts":[{"name":"redis-100m-pvc","mountPath":"/data"}]}]}}}}
    """#

    static let fullPod = #"""
    {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"default","labels":{"app":"web"},
       "annotations":{"note":"x"},"ownerReferences":[{"apiVersion":"apps/v1","kind":"StatefulSet","name":"web","uid":"u1","controller":true}]},
     "spec":{"hostname":"web-0","subdomain":"web","restartPolicy":"Always","terminationGracePeriodSeconds":30,
       "containers":[{"name":"app","image":"nginx:1.27","args":["-g","daemon off;"],"imagePullPolicy":"IfNotPresent",
         "env":[{"name":"A","value":"1"},{"name":"B","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}}],
         "ports":[{"containerPort":80,"name":"http","protocol":"TCP"}],
         "resources":{"requests":{"cpu":"250m","memory":"64Mi"},"limits":{"memory":"128Mi"}},
         "readinessProbe":{"httpGet":{"path":"/","port":"http"},"periodSeconds":5},
         "volumeMounts":[{"name":"data","mountPath":"/data"}]}],
       "volumes":[{"name":"data","persistentVolumeClaim":{"claimName":"data-web-0"}}],
       "tolerations":[{"key":"k","operator":"Exists","effect":"NoSchedule","tolerationSeconds":10}]},
     "status":{"phase":"Running","conditions":[{"type":"Ready","status":"True","lastTransitionTime":"2024-01-01T00:00:00Z"}]}}
    """#

    func testValidManifestsPassUntouched() throws {
        for (text, kind) in [(Self.seedStatefulSet, statefulSet), (Self.fullPod, pod)] {
            let result = try decode(text, kind)
            XCTAssertNil(result.decodeError)
            XCTAssertEqual(result.strictErrors, [])
            XCTAssertEqual(result.object, try JSONParser.parse(text).value)
        }
    }

    func testUnknownFieldsAtSeveralDepthsAreDroppedAndReported() throws {
        let result = try decode(#"""
        {"apiVersion":"apps/v1","kind":"StatefulSet","x":1,"metadata":{"name":"a","labels":{"anything":"ok"}},
         "spec":{"replcas":3,"serviceName":"s","selector":{"matchLabels":{"a":"b"}},
           "template":{"spec":{"containers":[{"name":"c","image":"i"},{"name":"d","image":"i","imagePullPolcy":"Always"}]}}}}
        """#)
        XCTAssertNil(result.decodeError)
        XCTAssertEqual(result.unknownFields, ["x", "spec.replcas", "spec.template.spec.containers[1].imagePullPolcy"])
        XCTAssertEqual(result.strictErrors, [
            #"unknown field "x""#, #"unknown field "spec.replcas""#,
            #"unknown field "spec.template.spec.containers[1].imagePullPolcy""#,
        ])
        XCTAssertNil(result.object["x"])
        XCTAssertNil(result.object[path: "spec", "replcas"])
        XCTAssertEqual(result.object[path: "spec", "template", "spec", "containers"]?.arrayValue?[1],
                       ["name": "d", "image": "i"])
        XCTAssertEqual(result.object[path: "metadata", "labels", "anything"], "ok")
        XCTAssertEqual(StrictDecoding.message(result.strictErrors),
                       #"strict decoding error: unknown field "x", unknown field "spec.replcas", unknown field "spec.template.spec.containers[1].imagePullPolcy""#)
        XCTAssertEqual(StrictDecoding.strictError(statefulSet, Array(result.strictErrors.prefix(2))).message,
                       #"StatefulSet in version "v1" cannot be handled as a StatefulSet: strict decoding error: unknown field "x", unknown field "spec.replcas""#)
    }

    func testRepeatedUnknownFieldIsReportedOnce() throws {
        let result = try decode(#"{"spec":{"template":{"spec":{"containers":[{"name":"a","bad":1},{"name":"b","bad":2}]}}},"zz":1,"zz2":{"zz":1}}"#)
        XCTAssertEqual(result.unknownFields, ["spec.template.spec.containers[0].bad", "spec.template.spec.containers[1].bad", "zz", "zz2"])
    }

    func testFreeFormFieldsKeepEverything() throws {
        let result = try decode(#"{"kind":"ControllerRevision","revision":1,"data":{"spec":{"unknown":null,"x":[1,{"y":null}]}}}"#,
                                GroupVersionKind(group: "apps", version: "v1", kind: "ControllerRevision"))
        XCTAssertEqual(result.strictErrors, [])
        XCTAssertEqual(result.object["data"], ["spec": ["unknown": nil, "x": [1, ["y": nil]]]])
    }

    func testNullsAreDropped() throws {
        let result = try decode(#"{"metadata":{"name":"a","creationTimestamp":null,"labels":null},"spec":{"replicas":null,"selector":null,"serviceName":"s"},"status":null}"#)
        XCTAssertNil(result.decodeError)
        XCTAssertEqual(result.object, ["metadata": ["name": "a"], "spec": ["serviceName": "s"]])
    }

    func testNullElementsBecomeZeroValues() throws {
        let result = try decode(#"{"metadata":{"labels":{"a":null}},"spec":{"template":{"spec":{"containers":[{"name":"c","args":["x",null]}]}}}}"#)
        XCTAssertEqual(result.object[path: "metadata", "labels"], ["a": ""])
        XCTAssertEqual(result.object[path: "spec", "template", "spec", "containers"]?.arrayValue?[0]["args"], ["x", ""])
    }

    func testTypeErrorsUseGoWording() throws {
        let cases: [(String, String)] = [
            (#"{"spec":{"replicas":"3"}}"#,
             "json: cannot unmarshal string into Go struct field StatefulSetSpec.spec.replicas of type int32"),
            (#"{"spec":{"serviceName":5}}"#,
             "json: cannot unmarshal number into Go struct field StatefulSetSpec.spec.serviceName of type string"),
            (#"{"spec":{"selector":"app=x"}}"#,
             "json: cannot unmarshal string into Go struct field StatefulSetSpec.spec.selector of type v1.LabelSelector"),
            (#"{"spec":{"template":{"spec":{"containers":{"name":"c"}}}}}"#,
             "json: cannot unmarshal object into Go struct field PodSpec.spec.template.spec.containers of type []v1.Container"),
            (#"{"spec":{"template":{"spec":{"containers":[{"name":"c","image":7}]}}}}"#,
             "json: cannot unmarshal number into Go struct field Container.spec.template.spec.containers.image of type string"),
            (#"{"spec":{"template":{"spec":{"containers":[{"name":"c","imagePullPolicy":true}]}}}}"#,
             "json: cannot unmarshal bool into Go struct field Container.spec.template.spec.containers.imagePullPolicy of type v1.PullPolicy"),
            (#"{"metadata":{"labels":{"a":1}}}"#,
             "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string"),
            (#"{"metadata":{"labels":[]}}"#,
             "json: cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type map[string]string"),
            (#"{"metadata":{"creationTimestamp":5}}"#,
             "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.creationTimestamp of type string"),
            (#"[1]"#, "json: cannot unmarshal array into Go value of type v1.StatefulSet"),
        ]
        for (body, message) in cases {
            XCTAssertEqual(try decode(body).decodeError, message, body)
        }
        XCTAssertEqual(StrictDecoding.decodeError(statefulSet, cases[0].1).message,
                       #"StatefulSet in version "v1" cannot be handled as a StatefulSet: json: cannot unmarshal string into Go struct field StatefulSetSpec.spec.replicas of type int32"#)
    }

    func testIntegerRangeAndFractions() throws {
        XCTAssertEqual(try decode(#"{"spec":{"replicas":2147483648}}"#).decodeError,
                       "json: cannot unmarshal number 2147483648 into Go struct field StatefulSetSpec.spec.replicas of type int32")
        XCTAssertNil(try decode(#"{"spec":{"replicas":2147483647}}"#).decodeError)
        XCTAssertEqual(try decode(#"{"spec":{"replicas":-2147483649}}"#).decodeError,
                       "json: cannot unmarshal number -2147483649 into Go struct field StatefulSetSpec.spec.replicas of type int32")
        XCTAssertEqual(try decode(#"{"spec":{"replicas":1.5}}"#).decodeError,
                       "json: cannot unmarshal number 1.5 into Go struct field StatefulSetSpec.spec.replicas of type int32")
        XCTAssertEqual(try decode(#"{"spec":{"replicas":2.0}}"#).decodeError,
                       "json: cannot unmarshal number 2.0 into Go struct field StatefulSetSpec.spec.replicas of type int32")
        XCTAssertNil(try decode(#"{"metadata":{"generation":9007199254740993}}"#).decodeError)
        XCTAssertEqual(try decode(#"{"metadata":{"generation":0.5}}"#).decodeError,
                       "json: cannot unmarshal number 0.5 into Go struct field ObjectMeta.metadata.generation of type int64")
    }

    func testOnlyTheFirstTypeErrorIsKept() throws {
        let result = try decode(#"{"spec":{"replicas":"a","serviceName":1},"zz":1}"#)
        XCTAssertEqual(result.decodeError, "json: cannot unmarshal string into Go struct field StatefulSetSpec.spec.replicas of type int32")
    }

    func testIntOrString() throws {
        let service = GroupVersionKind(group: "", version: "v1", kind: "Service")
        XCTAssertNil(try decode(#"{"spec":{"ports":[{"port":80,"targetPort":"http"},{"port":81,"targetPort":8081}]}}"#, service).decodeError)
        XCTAssertEqual(try decode(#"{"spec":{"ports":[{"port":80,"targetPort":true}]}}"#, service).decodeError,
                       "json: cannot unmarshal bool into Go struct field ServicePort.spec.ports.targetPort of type int32")
        XCTAssertEqual(try decode(#"{"spec":{"ports":[{"port":80,"targetPort":80.5}]}}"#, service).decodeError,
                       "json: cannot unmarshal number 80.5 into Go struct field ServicePort.spec.ports.targetPort of type int32")
    }

    func testQuantities() throws {
        let result = try decode(#"{"spec":{"containers":[{"name":"c","resources":{"requests":{"cpu":0.5,"memory":1000,"x":1.25,"y":6379},"limits":{"cpu":2}}}]}}"#, pod)
        XCTAssertNil(result.decodeError)
        let resources = result.object[path: "spec", "containers"]?.arrayValue?[0]["resources"]
        XCTAssertEqual(resources?["requests"], ["cpu": "500m", "memory": "1k", "x": "1250m", "y": "6379"])
        XCTAssertEqual(resources?["limits"], ["cpu": "2"])
        XCTAssertEqual(try decode(#"{"spec":{"containers":[{"name":"c","resources":{"requests":{"memory":"1gb"}}}]}}"#, pod).decodeError,
                       "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")
        XCTAssertEqual(try decode(#"{"spec":{"containers":[{"name":"c","resources":{"requests":{"memory":"1KK"}}}]}}"#, pod).decodeError,
                       "unable to parse quantity's suffix")
        XCTAssertEqual(try decode(#"{"spec":{"containers":[{"name":"c","resources":{"requests":{"memory":true}}}]}}"#, pod).decodeError,
                       QuantitySyntax.formatWrong)
        for valid in ["1Gi", "100Mi", "1e3", "0", "1.5", "250m", " 2 ", "1E", "+1k"] {
            XCTAssertNil(QuantitySyntax.error(in: valid), valid)
        }
    }

    func testCustomUnmarshallerErrorStopsDecoding() throws {
        let result = try decode(#"{"spec":{"replicas":"x","template":{"spec":{"containers":[{"name":"c","resources":{"limits":{"cpu":"abc"}}}]}}}}"#)
        XCTAssertEqual(result.decodeError, QuantitySyntax.formatWrong)
    }

    func testBase64Data() throws {
        let secret = GroupVersionKind(group: "", version: "v1", kind: "Secret")
        XCTAssertNil(try decode(#"{"data":{"a":"aGVsbG8=","b":"aGk=\n"}}"#, secret).decodeError)
        XCTAssertEqual(try decode(#"{"data":{"a":"hello"}}"#, secret).decodeError, "illegal base64 data at input byte 4")
        XCTAssertEqual(try decode(#"{"data":{"a":"a$=="}}"#, secret).decodeError, "illegal base64 data at input byte 1")
        XCTAssertEqual(try decode(#"{"data":{"a":5}}"#, secret).decodeError,
                       "json: cannot unmarshal number into Go struct field Secret.data of type []uint8")
    }

    func testDuplicateFields() throws {
        let result = try decode(#"{"spec":{"replicas":1,"replicas":2,"bogus":1,"bogus":2},"metadata":{"labels":{"a":"1","a":"2"}}}"#)
        XCTAssertNil(result.decodeError)
        XCTAssertEqual(result.duplicateFields, ["spec.replicas", "metadata.labels.a"])
        XCTAssertEqual(result.strictErrors, [#"duplicate field "spec.replicas""#, #"unknown field "spec.bogus""#, #"duplicate field "metadata.labels.a""#])
        XCTAssertEqual(StrictDecoding.message([result.strictErrors[0]]), #"strict decoding error: duplicate field "spec.replicas""#)
        XCTAssertEqual(result.object[path: "spec", "replicas"], 2)
    }

    func testDeepInputDoesNotRecurseWithTheDocument() throws {
        // Deeper bodies overflow JSONParser's own recursion in debug builds, so stay below that.
        let depth = 2_000
        let deep = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        let inFreeForm = #"{"revision":1,"data":"# + deep + "}"
        let revision = GroupVersionKind(group: "apps", version: "v1", kind: "ControllerRevision")
        XCTAssertNil(try decode(inFreeForm, revision).decodeError)
        let inTyped = #"{"metadata":{"labels":"# + deep + "}}"
        XCTAssertEqual(try decode(inTyped).decodeError,
                       "json: cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type map[string]string")
        let unknown = #"{"spec":{"x":"# + deep + "}}"
        XCTAssertEqual(try decode(unknown).unknownFields, ["spec.x"])
    }

    func testWarningTextsAreTheStrictErrors() throws {
        let result = try decode(#"{"spec":{"replcas":1}}"#)
        XCTAssertEqual(result.strictErrors, [#"unknown field "spec.replcas""#])
    }

    func testStrictErrorsAreCapped() throws {
        let fields = (0..<150).map { "\"f\($0)\":1" }.joined(separator: ",")
        let result = try decode("{\(fields)}")
        XCTAssertEqual(result.strictErrors.count, StrictDecoding.maxErrors)
    }
}
