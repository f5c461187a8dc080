import APIMachinery
@testable import Registry

/// A CRD as a test writes it: a namespaced `Widget` in `example.com` with status and scale
/// subresources, printer columns and a selectable field.
enum CustomResourceFixtures {
    static func widgets(group: String = "example.com", plural: String = "widgets", kind: String = "Widget",
                        shortNames: [String] = ["wd"], scope: String = "Namespaced") -> JSON {
        json("""
        {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
         "metadata":{"name":"\(plural).\(group)"},
         "spec":{"group":"\(group)","scope":"\(scope)",
          "names":{"plural":"\(plural)","kind":"\(kind)","shortNames":[\(shortNames.map { "\"\($0)\"" }.joined(separator: ","))],"categories":["all"]},
          "versions":[{"name":"v1","served":true,"storage":true,
            "subresources":{"status":{},"scale":{"specReplicasPath":".spec.replicas","statusReplicasPath":".status.replicas",
                                                "labelSelectorPath":".status.selector"}},
            "additionalPrinterColumns":[{"name":"Replicas","type":"integer","jsonPath":".spec.replicas"},
                                        {"name":"Ready","type":"string","jsonPath":".status.conditions[?(@.type==\\"Ready\\")].status"}],
            "selectableFields":[{"jsonPath":".spec.color"}],
            "schema":{"openAPIV3Schema":{"type":"object","properties":{
              "spec":{"type":"object","properties":{"replicas":{"type":"integer"},"color":{"type":"string"}}},
              "status":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}}}]}}
        """)
    }

    static func widget(_ name: String, replicas: Int64 = 1, color: String = "blue") -> JSON {
        json("""
        {"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"\(name)"},"spec":{"replicas":\(replicas),"color":"\(color)"}}
        """)
    }
}
