"""`/openapi/v2` (Swagger 2.0, JSON and gnostic protobuf): what kubectl falls back to for a `kind: List` file, what
Helm 3 validates against and what `kubectl explain --output=plaintext-openapiv2` reads."""

PROTOBUF = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"

LIST = """apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: first}
  data: {x: "1"}
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: web}
  spec:
    selector: {matchLabels: {app: web}}
    template:
      metadata: {labels: {app: web}}
      spec: {containers: [{name: web, image: nginx}]}
"""


def test_openapi_v2_json_and_protobuf(raw):
    document = raw("GET", "/openapi/v2").json()
    assert document["swagger"] == "2.0"
    pod = document["definitions"]["io.k8s.api.core.v1.Pod"]
    assert pod["x-kubernetes-group-version-kind"] == [{"group": "", "kind": "Pod", "version": "v1"}]
    assert pod["properties"]["metadata"]["$ref"] == "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
    proto = raw("GET", "/openapi/v2", headers={"Accept": PROTOBUF})
    assert proto.status_code == 200
    assert proto.headers["Content-Type"] == "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
    etag = proto.headers["Etag"]
    assert raw("GET", "/openapi/v2", headers={"Accept": PROTOBUF, "If-None-Match": etag}).status_code == 304
    refused = raw("GET", "/openapi/v2", headers={"Accept": "text/html"})
    assert refused.status_code == 406 and refused.json()["reason"] == "NotAcceptable", refused.text


def test_kubectl_applies_a_list_validating_its_items(kubectl):
    assert kubectl("apply", "-f", "-", input=LIST).split("\n")[:2] == ["configmap/first created", "deployment.apps/web created"]
    assert kubectl("get", "configmap", "first", "-o", "jsonpath={.data.x}") == "1"
    bad = LIST.replace("data: {x: \"1\"}", "datta: {x: \"1\"}").replace("name: first", "name: second")
    result = kubectl.run("apply", "-f", "-", input=bad)
    assert result.returncode == 1
    assert 'unknown field "datta" in io.k8s.api.core.v1.ConfigMap' in result.stderr, result.stderr


def test_kubectl_explain_from_openapi_v2(kubectl):
    shown = kubectl("explain", "deployments.spec.strategy", "--output=plaintext-openapiv2")
    assert "KIND:     Deployment" in shown, shown
    assert "rollingUpdate\t<Object>" in shown, shown
