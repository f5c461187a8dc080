#!/usr/bin/env python3
"""Generate Sources/APIMachinery/Schema/UpstreamDefinitions.swift from upstream's JSON schemas.

The PyPI package `kubernetes-validate` ships the Kubernetes OpenAPI definitions as JSON schema
data. Get it in a throwaway virtual environment:

    python3 -m venv /tmp/kv
    /tmp/kv/bin/pip install kubernetes-validate
    python3 scripts/generate-schemas.py \
        /tmp/kv/lib/python3.11/site-packages/kubernetes_validate/kubernetes-json-schema/v1.32.0-local/_definitions.json

We keep structure only: every `description` is stripped (upstream's prose stays upstream's),
`["x", "null"]` types become `"x"`, references become OpenAPI v3 component references, and the
`enum`s that kubernetes-validate injects on `apiVersion`/`kind` (not in upstream's OpenAPI) are
dropped. IntOrString and Quantity take the shape upstream's OpenAPI v3 documents give them.
The output lists one definition per line, keys sorted, so regenerating is byte-stable.
"""
import json
import os
import sys

# Every served kind (Sources/Registry/ResourceCatalog.swift); each also brings its List.
SERVED_KINDS = [
    "io.k8s.api.core.v1.Namespace",
    "io.k8s.api.core.v1.Pod",
    "io.k8s.api.core.v1.Service",
    "io.k8s.api.core.v1.Endpoints",
    "io.k8s.api.core.v1.PersistentVolumeClaim",
    "io.k8s.api.core.v1.PersistentVolume",
    "io.k8s.api.core.v1.Node",
    "io.k8s.api.core.v1.Event",
    "io.k8s.api.core.v1.ConfigMap",
    "io.k8s.api.core.v1.Secret",
    "io.k8s.api.core.v1.ReplicationController",
    "io.k8s.api.apps.v1.StatefulSet",
    "io.k8s.api.apps.v1.Deployment",
    "io.k8s.api.apps.v1.ReplicaSet",
    "io.k8s.api.apps.v1.ControllerRevision",
    "io.k8s.api.apps.v1.DaemonSet",
    "io.k8s.api.batch.v1.Job",
    "io.k8s.api.batch.v1.CronJob",
    "io.k8s.api.storage.v1.StorageClass",
    "io.k8s.api.discovery.v1.EndpointSlice",
    "io.k8s.api.coordination.v1.Lease",
    "io.k8s.api.networking.v1.Ingress",
    "io.k8s.api.networking.v1.IngressClass",
    "io.k8s.api.core.v1.ServiceAccount",
    "io.k8s.api.policy.v1.PodDisruptionBudget",
    "io.k8s.api.rbac.v1.Role",
    "io.k8s.api.rbac.v1.RoleBinding",
    "io.k8s.api.rbac.v1.ClusterRole",
    "io.k8s.api.rbac.v1.ClusterRoleBinding",
    "io.k8s.api.core.v1.PodTemplate",
    "io.k8s.api.core.v1.LimitRange",
    "io.k8s.api.core.v1.ResourceQuota",
    "io.k8s.api.networking.v1.NetworkPolicy",
    "io.k8s.api.scheduling.v1.PriorityClass",
    "io.k8s.api.node.v1.RuntimeClass",
    "io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler",
    "io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler",
    "io.k8s.api.events.v1.Event",
    "io.k8s.kube-aggregator.pkg.apis.apiregistration.v1.APIService",
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition",
]

# What the served API documents reference besides the kinds.
API_DOCUMENT_TYPES = [
    "io.k8s.api.autoscaling.v1.Scale",
    "io.k8s.apimachinery.pkg.apis.meta.v1.Status",
    "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions",
    "io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent",
    "io.k8s.apimachinery.pkg.apis.meta.v1.APIResourceList",
    "io.k8s.apimachinery.pkg.apis.meta.v1.APIGroup",
    "io.k8s.apimachinery.pkg.apis.meta.v1.APIGroupList",
    "io.k8s.apimachinery.pkg.apis.meta.v1.APIVersions",
    "io.k8s.apimachinery.pkg.apis.meta.v1.Patch",
    # Create-only kinds: subresources and reviews (never listed).
    "io.k8s.api.authentication.v1.TokenRequest",
    "io.k8s.api.authentication.v1.SelfSubjectReview",
    "io.k8s.api.authentication.v1.TokenReview",
    "io.k8s.api.policy.v1.Eviction",
    "io.k8s.api.authorization.v1.SelfSubjectAccessReview",
    "io.k8s.api.authorization.v1.SelfSubjectRulesReview",
    "io.k8s.api.authorization.v1.SubjectAccessReview",
    "io.k8s.api.authorization.v1.LocalSubjectAccessReview",
]
# Table and PartialObjectMetadata are not in kubernetes-validate's data (upstream serves them
# only through content negotiation), so they are not listed.

REF_PREFIX_IN = "#/$defs/"
REF_PREFIX_OUT = "#/components/schemas/"

# Upstream's OpenAPI v3 shapes for the two custom-marshalled scalar types.
OVERRIDES = {
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {
        "format": "int-or-string",
        "oneOf": [{"type": "integer"}, {"type": "string"}],
    },
    "io.k8s.apimachinery.pkg.api.resource.Quantity": {
        "oneOf": [{"type": "string"}, {"type": "number"}],
    },
}


def refs(node, out):
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(REF_PREFIX_IN):
            out.add(ref[len(REF_PREFIX_IN):])
        for value in node.values():
            refs(value, out)
    elif isinstance(node, list):
        for value in node:
            refs(value, out)


def closure(defs, roots):
    seen = set()
    pending = [r for r in roots if r in defs]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        found = set()
        refs(defs[name], found)
        pending.extend(sorted(found - seen))
    return seen


def normalize(node, property_name=None):
    if isinstance(node, list):
        return [normalize(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "description":
            continue
        if key == "type" and isinstance(value, list):
            kinds = [t for t in value if t != "null"]
            value = kinds[0] if len(kinds) == 1 else kinds
        elif key == "$ref" and value.startswith(REF_PREFIX_IN):
            value = REF_PREFIX_OUT + value[len(REF_PREFIX_IN):]
        elif key == "enum" and property_name in ("apiVersion", "kind"):
            continue
        elif key == "properties":
            value = {name: normalize(schema, name) for name, schema in value.items()}
            out[key] = value
            continue
        out[key] = normalize(value)
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: generate-schemas.py <kubernetes-validate _definitions.json>")
    with open(sys.argv[1]) as f:
        defs = json.load(f)["$defs"]
    roots = []
    for kind in SERVED_KINDS:
        roots += [kind, kind + "List"]
    roots += API_DOCUMENT_TYPES
    missing = [r for r in roots if r not in defs]
    names = sorted(closure(defs, roots))
    lines = []
    for name in names:
        schema = OVERRIDES.get(name) or normalize(defs[name])
        lines.append(json.dumps(name) + ":" + json.dumps(schema, sort_keys=True, separators=(",", ":")))
    body = "{\n" + ",\n".join(lines) + "\n}"
    if '"""#' in body:
        sys.exit("definitions contain the raw string terminator")
    here = os.path.dirname(os.path.abspath(__file__))
    target = os.path.join(here, "..", "Sources", "APIMachinery", "Schema", "UpstreamDefinitions.swift")
    with open(target, "w") as f:
        f.write("// Generated by scripts/generate-schemas.py from kubernetes-validate's v1.32.0 definitions.\n")
        f.write("// Do not edit by hand: structure only (types, formats, required, x-kubernetes-* extensions).\n\n")
        f.write("/// Upstream's definitions for every served kind and what it references, one per line.\n")
        f.write("enum UpstreamDefinitions {\n")
        f.write("    static let json = #\"\"\"\n")
        f.write(body)
        f.write("\n\"\"\"#\n}\n")
    print(f"{len(names)} definitions written; not in the source data: {', '.join(missing) or 'none'}")


if __name__ == "__main__":
    main()
