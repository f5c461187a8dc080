import APIMachinery

/// GetPodFromTemplate: a pod built from a controller's template, named `<owner>-` plus a random
/// suffix by the API server, with the owner as its controller.
enum PodTemplate {
    static func pod(from template: JSON, owner: JSON, kind: OwnerKind) -> JSON {
        var metadata: JSONObject = ["generateName": .string("\(owner.meta.name)-")]
        if let labels = template[path: "metadata", "labels"], labels != .null { metadata["labels"] = labels }
        if let annotations = template[path: "metadata", "annotations"], annotations != .null { metadata["annotations"] = annotations }
        if let finalizers = template[path: "metadata", "finalizers"], finalizers != .null { metadata["finalizers"] = finalizers }
        metadata["ownerReferences"] = [OwnerReferenceView(apiVersion: kind.apiVersion, kind: kind.kind, name: owner.meta.name, uid: owner.meta.uid,
                                                          controller: true, blockOwnerDeletion: true).object]
        return ["apiVersion": "v1", "kind": "Pod", "metadata": .object(metadata), "spec": template["spec"] ?? [:]]
    }
}
