"""Imperative kubectl commands: most send protobuf bodies (client-go's typed clients do for built-in
kinds); `run` and `expose` send JSON. Each must create the object a manifest would."""
import base64

import pytest


def test_create_secret_generic(kubectl):
    assert kubectl("create", "secret", "generic", "creds", "--from-literal=user=admin").strip() == "secret/creds created"
    secret = kubectl.json("get", "secret", "creds")
    assert secret["type"] == "Opaque"
    assert base64.b64decode(secret["data"]["user"]) == b"admin"


def test_create_namespace(kubectl, server):
    name = f"imperative-{kubectl.namespace}"[:63]
    assert kubectl("create", "namespace", name).strip() == f"namespace/{name} created"
    ns = kubectl.json("get", "namespace", name)
    assert ns["status"]["phase"] == "Active"
    assert ns["metadata"]["labels"]["kubernetes.io/metadata.name"] == name
    kubectl("delete", "namespace", name)


@pytest.mark.parametrize("kind,args,expected_type", [
    ("clusterip", ["--tcp=80:8080"], "ClusterIP"),
    ("nodeport", ["--tcp=80:8080"], "NodePort"),
])
def test_create_service(kubectl, kind, args, expected_type):
    name = f"svc-{kind}"
    assert kubectl("create", "service", kind, name, *args).strip() == f"service/{name} created"
    svc = kubectl.json("get", "service", name)
    assert svc["spec"]["type"] == expected_type
    assert svc["spec"]["ports"][0]["port"] == 80
    assert svc["spec"]["ports"][0]["targetPort"] == 8080
    assert svc["spec"]["clusterIP"].count(".") == 3


def test_run_creates_a_pod(kubectl):
    assert kubectl("run", "single", "--image=redis:7").strip() == "pod/single created"
    pod = kubectl.json("get", "pod", "single")
    assert pod["spec"]["containers"][0]["image"] == "redis:7"
    assert pod["metadata"]["labels"]["run"] == "single"


def test_server_side_dry_run_creates_nothing(kubectl):
    out = kubectl("create", "configmap", "dry", "--from-literal=a=b", "--dry-run=server")
    assert "created (server dry run)" in out
    result = kubectl.run("get", "configmap", "dry")
    assert result.returncode != 0 and "NotFound" in result.stderr
