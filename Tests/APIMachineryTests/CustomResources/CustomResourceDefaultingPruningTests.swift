import XCTest
@testable import APIMachinery

/// Structural defaulting and pruning of custom objects.
final class CustomResourceDefaultingPruningTests: XCTestCase {
    private func json(_ s: String) -> JSON { CustomResourceSchemaFixture.json(s) }

    func testDefaultsFillAbsentMembersAndNonNullableNulls() {
        guard let s = CustomResourceSchemaFixture.schema(#"""
        {"type":"object","properties":{"spec":{"type":"object","default":{},"properties":{
          "replicas":{"type":"integer","default":1},
          "mode":{"type":"string","default":"fast"},
          "note":{"type":"string","nullable":true,"default":"n"},
          "ports":{"type":"array","items":{"type":"object","properties":{"protocol":{"type":"string","default":"TCP"},"port":{"type":"integer"}}}},
          "limits":{"type":"object","additionalProperties":{"type":"string","default":"1"}}}}}}
        """#) else { return }
        XCTAssertEqual(s.applyDefaults(json("{}")), json(#"{"spec":{"replicas":1,"mode":"fast","note":"n"}}"#))
        XCTAssertEqual(s.applyDefaults(json(#"{"spec":{"replicas":3,"mode":null,"note":null}}"#)),
                       json(#"{"spec":{"replicas":3,"mode":"fast","note":null}}"#))
        XCTAssertEqual(s.applyDefaults(json(#"{"spec":{"ports":[{"port":80},{"port":53,"protocol":"UDP"}],"limits":{"cpu":null,"mem":"2"}}}"#)),
                       json(#"{"spec":{"ports":[{"port":80,"protocol":"TCP"},{"port":53,"protocol":"UDP"}],"limits":{"cpu":"1","mem":"2"},"replicas":1,"mode":"fast","note":"n"}}"#))
    }

    func testPruningDropsUnknownFieldsAndReportsThem() {
        guard let s = CustomResourceSchemaFixture.schema(#"""
        {"type":"object","properties":{"spec":{"type":"object","properties":{
          "a":{"type":"string"},
          "list":{"type":"array","items":{"type":"object","properties":{"n":{"type":"string"}}}},
          "free":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"typed":{"type":"object","properties":{"k":{"type":"string"}}}}},
          "labels":{"type":"object","additionalProperties":{"type":"string"}},
          "template":{"type":"object","x-kubernetes-embedded-resource":true,"properties":{"spec":{"type":"object","properties":{"x":{"type":"string"}}}}}}}}}
        """#) else { return }
        let (pruned, unknown) = s.prune(json(#"""
        {"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w","bogus":1},"extra":true,
         "spec":{"a":"x","foo":1,"list":[{"n":"1","m":2}],"free":{"any":{"thing":1},"typed":{"k":"v","drop":1}},
                 "labels":{"x":"y"},
                 "template":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","other":2},"spec":{"x":"1","y":"2"},"status":{}}}}
        """#))
        XCTAssertEqual(unknown, ["metadata.bogus", "extra", "spec.foo", "spec.list[0].m", "spec.free.typed.drop",
                                 "spec.template.metadata.other", "spec.template.spec.y", "spec.template.status"])
        XCTAssertEqual(pruned, json(#"""
        {"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},
         "spec":{"a":"x","list":[{"n":"1"}],"free":{"any":{"thing":1},"typed":{"k":"v"}},
                 "labels":{"x":"y"},
                 "template":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"x":"1"}}}}
        """#))
    }

    func testPreserveUnknownFieldsAtTheRootKeepsEverything() {
        guard let s = CustomResourceSchemaFixture.schema(#"{"type":"object","x-kubernetes-preserve-unknown-fields":true}"#) else { return }
        let object = json(#"{"apiVersion":"a/v1","kind":"K","spec":{"anything":[1,2]}}"#)
        let (pruned, unknown) = s.prune(object)
        XCTAssertEqual(pruned, object)
        XCTAssertEqual(unknown, [])
    }
}
