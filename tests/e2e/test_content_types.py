"""Content negotiation: YAML in and out, and the server-side Table that kubectl prints."""

import re

import yaml

from support import ROOT_CA_CONFIGMAP, without_root_ca

TABLE_ACCEPT = "application/json;as=Table;v=v1;g=meta.k8s.io"
KUBECTL_TABLE_ACCEPT = TABLE_ACCEPT + ",application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"

CONFIGMAP_YAML = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: from-yaml
  labels:
    source: yaml
data:
  greeting: hello
  multi: |
    line one
    line two
"""


def test_yaml_in(raw, ns):
    response = raw("POST", f"/api/v1/namespaces/{ns}/configmaps", CONFIGMAP_YAML,
                   headers={"Content-Type": "application/yaml"})
    assert response.status_code == 201, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    created = response.json()
    assert created["metadata"]["name"] == "from-yaml" and created["metadata"]["namespace"] == ns
    assert created["data"] == {"greeting": "hello", "multi": "line one\nline two\n"}
    assert created["metadata"]["labels"] == {"source": "yaml"}


def test_yaml_out(raw, ns):
    raw("POST", f"/api/v1/namespaces/{ns}/configmaps", CONFIGMAP_YAML, headers={"Content-Type": "application/yaml"})
    response = raw("GET", f"/api/v1/namespaces/{ns}/configmaps/from-yaml", headers={"Accept": "application/yaml"})
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/yaml"), response.headers
    document = yaml.safe_load(response.text)
    assert document["apiVersion"] == "v1" and document["kind"] == "ConfigMap"
    assert document["data"]["multi"] == "line one\nline two\n"
    assert document["metadata"]["uid"]

    listed = raw("GET", f"/api/v1/namespaces/{ns}/configmaps", headers={"Accept": "application/yaml"})
    assert listed.status_code == 200
    document = yaml.safe_load(listed.text)
    assert document["kind"] == "ConfigMapList" and document["apiVersion"] == "v1"
    assert without_root_ca([item["metadata"]["name"] for item in document["items"]]) == ["from-yaml"]


def test_yaml_patch_round_trip(raw, ns):
    raw("POST", f"/api/v1/namespaces/{ns}/configmaps", CONFIGMAP_YAML, headers={"Content-Type": "application/yaml"})
    current = raw("GET", f"/api/v1/namespaces/{ns}/configmaps/from-yaml", headers={"Accept": "application/yaml"})
    document = yaml.safe_load(current.text)
    document["data"]["greeting"] = "bonjour"
    response = raw("PUT", f"/api/v1/namespaces/{ns}/configmaps/from-yaml", yaml.safe_dump(document),
                   headers={"Content-Type": "application/yaml", "Accept": "application/yaml"})
    assert response.status_code == 200, response.text
    assert yaml.safe_load(response.text)["data"]["greeting"] == "bonjour"


def table(raw, path, accept=TABLE_ACCEPT, params=None):
    response = raw("GET", path, headers={"Accept": accept}, params=params)
    assert response.status_code == 200, response.text
    document = response.json()
    assert document["kind"] == "Table" and document["apiVersion"] == "meta.k8s.io/v1", document
    for column in document["columnDefinitions"]:
        assert {"name", "type", "format", "description", "priority"} <= set(column), column
    return document


def test_table_for_a_list(raw, ns):
    raw("POST", f"/api/v1/namespaces/{ns}/configmaps", CONFIGMAP_YAML, headers={"Content-Type": "application/yaml"})
    document = table(raw, f"/api/v1/namespaces/{ns}/configmaps", accept=KUBECTL_TABLE_ACCEPT)
    assert [c["name"] for c in document["columnDefinitions"]] == ["Name", "Data", "Age"]
    assert document["columnDefinitions"][0]["format"] == "name"
    assert document["metadata"]["resourceVersion"]
    (row,) = [r for r in document["rows"] if r["cells"][0] != ROOT_CA_CONFIGMAP]
    name, data, age = row["cells"]
    assert (name, data) == ("from-yaml", 2)
    assert re.fullmatch(r"\d+(s|m|h|d)\w*", age), age
    assert row["object"]["kind"] == "PartialObjectMetadata"
    assert row["object"]["apiVersion"] == "meta.k8s.io/v1"
    assert row["object"]["metadata"]["name"] == "from-yaml"


def test_table_for_one_object_and_without_objects(raw, ns):
    raw("POST", f"/api/v1/namespaces/{ns}/configmaps", CONFIGMAP_YAML, headers={"Content-Type": "application/yaml"})
    document = table(raw, f"/api/v1/namespaces/{ns}/configmaps/from-yaml")
    assert [row["cells"][0] for row in document["rows"]] == ["from-yaml"]
    bare = table(raw, f"/api/v1/namespaces/{ns}/configmaps", params={"includeObject": "None"})
    assert bare["rows"][0].get("object") is None, bare["rows"][0]


def test_table_for_statefulsets(raw, ns):
    body = {
        "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "web"},
        "spec": {"serviceName": "web", "replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]}}},
    }
    assert raw("POST", f"/apis/apps/v1/namespaces/{ns}/statefulsets", body).status_code == 201
    document = table(raw, f"/apis/apps/v1/namespaces/{ns}/statefulsets")
    columns = [(c["name"], c["priority"]) for c in document["columnDefinitions"]]
    assert columns == [("Name", 0), ("Ready", 0), ("Age", 0), ("Containers", 1), ("Images", 1)], columns
    (row,) = [r for r in document["rows"] if r["cells"][0] != ROOT_CA_CONFIGMAP]
    assert row["cells"][0] == "web"
    assert re.fullmatch(r"\d+/2", row["cells"][1]), row
    assert row["cells"][3:] == ["nginx", "nginx:1.27"]
