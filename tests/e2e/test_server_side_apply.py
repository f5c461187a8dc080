"""Server-side apply and managedFields with the real kubectl 1.32, the official Python client's dynamic
client and lightkube: repeated applies change nothing, a second manager changing an owned field gets the
409 naming field and manager, `--force-conflicts` takes it, and managedFields are there to show."""

import json
import time

import pytest
import yaml
from kubernetes import dynamic
from kubernetes.client import exceptions as k8s_exceptions

from support import wait_for

DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - containerPort: 80
"""

CONFIGMAP = """
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: fast
  level: "3"
"""


def managers(obj):
    return sorted((e["manager"], e["operation"]) for e in obj["metadata"].get("managedFields", []))


def owners_of(obj, *path):
    """Managers whose fieldsV1 hold `path` (field names, without the `f:`)."""
    found = []
    for entry in obj["metadata"].get("managedFields", []):
        node = entry["fieldsV1"]
        for name in path:
            node = node.get(f"f:{name}") if isinstance(node, dict) else None
        if node is not None:
            found.append(entry["manager"])
    return sorted(found)


def settled(kubectl, kind, name):
    """The object once its controllers stop writing it (a Deployment's status), so what follows can compare
    resourceVersions."""
    seen = []

    def unchanged():
        seen.append(kubectl.json("get", kind, name)["metadata"]["resourceVersion"])
        time.sleep(0.3)
        return len(seen) > 1 and seen[-1] == seen[-2]

    wait_for(unchanged, 30, f"{kind}/{name} to settle")
    return kubectl.json("get", kind, name, "--show-managed-fields")


@pytest.mark.parametrize("manifest,kind,name", [(DEPLOYMENT, "deployment", "web"), (CONFIGMAP, "configmap", "settings")],
                         ids=["deployment", "configmap"])
def test_apply_server_side_twice_changes_nothing(kubectl, manifest, kind, name):
    out = kubectl("apply", "--server-side", "-f", "-", input=manifest)
    assert "serverside-applied" in out
    first = settled(kubectl, kind, name)
    assert ("kubectl", "Apply") in managers(first)
    assert all(manager == "kube-controller-manager" for manager, operation in managers(first) if operation == "Update")
    again = kubectl.json("apply", "--server-side", "--show-managed-fields", "-f", "-", input=manifest)
    assert again["metadata"]["resourceVersion"] == first["metadata"]["resourceVersion"]
    assert again["metadata"]["managedFields"] == first["metadata"]["managedFields"]


def test_second_manager_conflicts_and_force_takes_the_field(kubectl):
    kubectl("apply", "--server-side", "-f", "-", input=DEPLOYMENT)
    changed = DEPLOYMENT.replace("replicas: 2", "replicas: 5")
    result = kubectl.run("apply", "--server-side", "--field-manager=other", "-f", "-", input=changed)
    assert result.returncode != 0
    assert 'Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas' in result.stderr, result.stderr
    assert kubectl.json("get", "deployment", "web", "--show-managed-fields")["spec"]["replicas"] == 2

    kubectl("apply", "--server-side", "--field-manager=other", "--force-conflicts", "-f", "-", input=changed)
    taken = kubectl.json("get", "deployment", "web", "--show-managed-fields")
    assert taken["spec"]["replicas"] == 5
    assert owners_of(taken, "spec", "replicas") == ["other"]
    assert owners_of(taken, "spec", "template") == ["kubectl", "other"]


def test_managed_fields_are_shown_only_on_request(kubectl):
    kubectl("create", "configmap", "plain", "--from-literal=a=1")
    hidden = yaml.safe_load(kubectl("get", "configmap", "plain", "-o", "yaml"))
    assert "managedFields" not in hidden["metadata"]
    shown = yaml.safe_load(kubectl("get", "configmap", "plain", "-o", "yaml", "--show-managed-fields"))
    entry = shown["metadata"]["managedFields"][0]
    assert entry["manager"] == "kubectl-create"
    assert entry["operation"] == "Update"
    assert entry["fieldsType"] == "FieldsV1"
    assert entry["fieldsV1"] == {"f:data": {".": {}, "f:a": {}}}
    kubectl("label", "configmap", "plain", "tier=db")
    labelled = kubectl.json("get", "configmap", "plain", "--show-managed-fields")
    assert ("kubectl-label", "Update") in managers(labelled)


def test_client_side_apply_then_server_side_migrates_ownership(kubectl):
    kubectl("apply", "-f", "-", input=CONFIGMAP)
    before = kubectl.json("get", "configmap", "settings", "--show-managed-fields")
    assert managers(before) == [("kubectl-client-side-apply", "Update")]
    # kubectl 1.32 moves the client-side manager's fields to its apply manager (csaupgrade) before applying.
    kubectl("apply", "--server-side", "-f", "-", input=CONFIGMAP.replace("mode: fast", "mode: slow"))
    after = kubectl.json("get", "configmap", "settings", "--show-managed-fields")
    assert after["data"]["mode"] == "slow"
    assert owners_of(after, "data", "mode") == ["kubectl"]


def test_python_dynamic_client_server_side_apply(server, ns):
    api_client = server.api_client()
    try:
        client = dynamic.DynamicClient(api_client)
        configmaps = client.resources.get(api_version="v1", kind="ConfigMap")
        body = yaml.safe_load(CONFIGMAP)
        created = configmaps.server_side_apply(body=body, namespace=ns, field_manager="python-tool")
        assert created.data.mode == "fast"
        again = configmaps.server_side_apply(body=body, namespace=ns, field_manager="python-tool")
        assert again.metadata.resourceVersion == created.metadata.resourceVersion
        body["data"]["mode"] = "slow"
        with pytest.raises(k8s_exceptions.ApiException) as raised:
            configmaps.server_side_apply(body=body, namespace=ns, field_manager="someone-else")
        assert raised.value.status == 409
        status = json.loads(raised.value.body)
        assert status["details"]["causes"] == [
            {"reason": "FieldManagerConflict", "message": 'conflict with "python-tool"', "field": ".data.mode"}]
        forced = configmaps.server_side_apply(body=body, namespace=ns, field_manager="someone-else", force_conflicts=True)
        assert forced.data.mode == "slow"
    finally:
        api_client.close()


def test_lightkube_apply(server, ns):
    lightkube = pytest.importorskip("lightkube")
    from lightkube.resources.core_v1 import ConfigMap
    from lightkube.models.meta_v1 import ObjectMeta

    client = lightkube.Client(config=lightkube.KubeConfig.from_file(str(server.kubeconfig)), namespace=ns,
                              field_manager="lightkube-tool")
    config = ConfigMap(metadata=ObjectMeta(name="lk"), data={"k": "v"})
    applied = client.apply(config)
    assert applied.data == {"k": "v"}
    again = client.apply(config)
    assert again.metadata.resourceVersion == applied.metadata.resourceVersion
    assert [e.manager for e in again.metadata.managedFields] == ["lightkube-tool"]
    with pytest.raises(lightkube.ApiError) as raised:
        client.apply(ConfigMap(metadata=ObjectMeta(name="lk"), data={"k": "w"}), field_manager="intruder")
    assert raised.value.status.code == 409
    assert client.apply(ConfigMap(metadata=ObjectMeta(name="lk"), data={"k": "w"}), field_manager="intruder",
                        force=True).data == {"k": "w"}
