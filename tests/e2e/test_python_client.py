"""The official Python client: create, read, list, replace, patch and delete for every served kind, then
conflicts, validation errors, generateName and dry runs."""

import base64
import json
import re
import secrets
from dataclasses import dataclass
from typing import Callable, Optional

import pytest
from kubernetes.client.rest import ApiException

from support import wait_for


def unique(prefix):
    return f"{prefix}-{secrets.token_hex(4)}"


@dataclass
class Kind:
    kind: str
    api: str                      # attribute of `clients`
    snake: str                    # the client's method suffix, e.g. "config_map"
    namespaced: bool
    body: Callable[[str, str], dict]  # (name, namespace) -> manifest
    mutate: Optional[Callable] = None  # changes the read model before replace
    check: Optional[Callable] = None   # asserts the replaced model carries the change
    finalized: bool = False        # deletion may leave it terminating (finalizers, graceful deletion)
    # upstream answers DELETE with the object (its store sets ReturnDeletedObject) or, when False, a Status
    # Success; None: not asserted
    returns_object: Optional[bool] = False

    def call(self, clients, verb, ns, *args, **kwargs):
        api = getattr(clients, self.api)
        scope = "namespaced_" if self.namespaced else ""
        method = getattr(api, f"{verb}_{scope}{self.snake}")
        if not self.namespaced:
            return method(*args, **kwargs)
        if verb in ("create", "list"):
            return method(ns, *args, **kwargs)
        return method(args[0], ns, *args[1:], **kwargs)


def meta(name, api_version, kind, **extra):
    return {"apiVersion": api_version, "kind": kind, "metadata": {"name": name, "labels": {"e2e": "yes"}}, **extra}


def set_config_map_data(obj):
    obj.data["key"] = "value-2"


def set_secret_data(obj):
    obj.data["key"] = base64.b64encode(b"secret-2").decode()


def set_replicas(obj):
    obj.spec.replicas = 3


def set_holder(obj):
    obj.spec.holder_identity = "holder-2"


def statefulset(name, ns):
    return meta(name, "apps/v1", "StatefulSet", spec={
        "serviceName": "svc", "replicas": 1,
        "selector": {"matchLabels": {"app": name}},
        "template": {"metadata": {"labels": {"app": name}},
                     "spec": {"containers": [{"name": "c", "image": "redis:5-alpine"}]}}})


KINDS = [
    Kind("Namespace", "core", "namespace", False, lambda n, ns: meta(n, "v1", "Namespace"), finalized=True,
         returns_object=None),
    Kind("Pod", "core", "pod", True,
         lambda n, ns: meta(n, "v1", "Pod", spec={"containers": [{"name": "c", "image": "busybox:1.36"}]}),
         finalized=True, returns_object=True),
    Kind("Service", "core", "service", True,
         lambda n, ns: meta(n, "v1", "Service", spec={"selector": {"app": "x"},
                                                      "ports": [{"port": 80, "targetPort": 8080}]}),
         returns_object=True),
    Kind("Endpoints", "core", "endpoints", True,
         lambda n, ns: meta(n, "v1", "Endpoints", subsets=[
             {"addresses": [{"ip": "10.1.2.3"}], "ports": [{"port": 80, "protocol": "TCP"}]}])),
    Kind("PersistentVolumeClaim", "core", "persistent_volume_claim", True,
         lambda n, ns: meta(n, "v1", "PersistentVolumeClaim", spec={
             "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}),
         finalized=True, returns_object=True),
    Kind("PersistentVolume", "core", "persistent_volume", False,
         lambda n, ns: meta(n, "v1", "PersistentVolume", spec={
             "capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"],
             "hostPath": {"path": "/tmp/" + n}, "persistentVolumeReclaimPolicy": "Retain"}),
         finalized=True, returns_object=True),
    Kind("Node", "core", "node", False, lambda n, ns: meta(n, "v1", "Node")),
    Kind("Event", "core", "event", True,
         lambda n, ns: meta(n, "v1", "Event",
                            involvedObject={"apiVersion": "v1", "kind": "Pod", "name": "p", "namespace": ns},
                            reason="Tested", message="an end-to-end test event", type="Normal",
                            source={"component": "e2e"}, count=1,
                            firstTimestamp="2026-01-01T00:00:00Z", lastTimestamp="2026-01-01T00:00:00Z")),
    Kind("ConfigMap", "core", "config_map", True,
         lambda n, ns: meta(n, "v1", "ConfigMap", data={"key": "value"}),
         mutate=set_config_map_data, check=lambda o: o.data["key"] == "value-2"),
    Kind("Secret", "core", "secret", True,
         lambda n, ns: meta(n, "v1", "Secret", type="Opaque", data={"key": base64.b64encode(b"secret").decode()}),
         mutate=set_secret_data, check=lambda o: base64.b64decode(o.data["key"]) == b"secret-2"),
    Kind("StatefulSet", "apps", "stateful_set", True, statefulset,
         mutate=set_replicas, check=lambda o: o.spec.replicas == 3 and o.metadata.generation == 2),
    Kind("ControllerRevision", "apps", "controller_revision", True,
         lambda n, ns: meta(n, "apps/v1", "ControllerRevision", revision=1,
                            data={"spec": {"template": {"metadata": {"labels": {"app": "x"}}}}})),
    Kind("StorageClass", "storage", "storage_class", False,
         lambda n, ns: meta(n, "storage.k8s.io/v1", "StorageClass", provisioner="example.com/e2e"),
         returns_object=True),
    Kind("EndpointSlice", "discovery", "endpoint_slice", True,
         lambda n, ns: meta(n, "discovery.k8s.io/v1", "EndpointSlice", addressType="IPv4",
                            endpoints=[{"addresses": ["10.1.2.3"], "conditions": {"ready": True}}],
                            ports=[{"name": "http", "port": 80, "protocol": "TCP"}])),
    Kind("Lease", "coordination", "lease", True,
         lambda n, ns: meta(n, "coordination.k8s.io/v1", "Lease",
                            spec={"holderIdentity": "holder-1", "leaseDurationSeconds": 15}),
         mutate=set_holder, check=lambda o: o.spec.holder_identity == "holder-2"),
]


def status_of(error: ApiException):
    return json.loads(error.body)


def user_labels(obj):
    """The object's labels less the one upstream sets on every Namespace (checked to equal the name)."""
    labels = dict(obj.metadata.labels or {})
    if obj.kind == "Namespace" or type(obj).__name__ == "V1Namespace":
        assert labels.pop("kubernetes.io/metadata.name") == obj.metadata.name
    return labels


@pytest.mark.parametrize("kind", KINDS, ids=[k.kind for k in KINDS])
def test_crud(clients, ns, kind):
    name = unique(kind.snake.replace("_", "-"))

    created = kind.call(clients, "create", ns, kind.body(name, ns))
    assert created.metadata.name == name
    assert created.metadata.uid and created.metadata.resource_version and created.metadata.creation_timestamp
    assert user_labels(created) == {"e2e": "yes"}
    if kind.namespaced:
        assert created.metadata.namespace == ns

    read = kind.call(clients, "read", ns, name)
    assert read.metadata.uid == created.metadata.uid
    # Controllers (the StatefulSet controller writing status) may have moved it on since.
    assert int(read.metadata.resource_version) >= int(created.metadata.resource_version)

    listed = kind.call(clients, "list", ns)
    assert name in [item.metadata.name for item in listed.items]
    assert listed.metadata.resource_version

    # Read-modify-write, retried on 409 as clients do when a controller writes in between.
    for attempt in range(20):
        read.metadata.labels["replaced"] = "yes"
        if kind.mutate:
            kind.mutate(read)
        try:
            replaced = kind.call(clients, "replace", ns, name, read)
            break
        except ApiException as e:
            if e.status != 409 or attempt == 19:
                raise
            read = kind.call(clients, "read", ns, name)
    assert user_labels(replaced) == {"e2e": "yes", "replaced": "yes"}
    assert replaced.metadata.uid == created.metadata.uid
    assert int(replaced.metadata.resource_version) > int(created.metadata.resource_version)
    if kind.check:
        assert kind.check(replaced), replaced

    patched = kind.call(clients, "patch", ns, name, {"metadata": {"labels": {"patched": "yes"}}})
    assert user_labels(patched) == {"e2e": "yes", "replaced": "yes", "patched": "yes"}
    if kind.check:
        assert kind.check(patched), "a label patch must keep the replaced fields"
    assert int(kind.call(clients, "read", ns, name).metadata.resource_version) >= int(patched.metadata.resource_version)

    response = kind.call(clients, "delete", ns, name, _preload_content=False)
    answer = json.loads(response.data)
    if kind.returns_object:
        assert answer["kind"] == kind.kind and answer["metadata"]["name"] == name, answer
    elif kind.returns_object is False:
        assert answer["kind"] == "Status" and answer["status"] == "Success", answer
        assert answer["details"]["name"] == name and answer["details"]["uid"] == created.metadata.uid, answer

    def gone():
        try:
            current = kind.call(clients, "read", ns, name)
        except ApiException as error:
            return error.status == 404
        return kind.finalized and current.metadata.deletion_timestamp is not None

    wait_for(gone, 10, f"{kind.kind} {name} to be deleted")


def test_replace_with_stale_resource_version_conflicts(clients, ns):
    name = unique("stale")
    clients.core.create_namespaced_config_map(ns, {"metadata": {"name": name}, "data": {"a": "1"}})
    stale = clients.core.read_namespaced_config_map(name, ns)
    clients.core.patch_namespaced_config_map(name, ns, {"data": {"a": "2"}})
    stale.data["a"] = "3"
    with pytest.raises(ApiException) as failure:
        clients.core.replace_namespaced_config_map(name, ns, stale)
    assert failure.value.status == 409
    status = status_of(failure.value)
    assert status["kind"] == "Status" and status["reason"] == "Conflict" and status["code"] == 409
    assert status["message"] == (f'Operation cannot be fulfilled on configmaps "{name}": the object has been '
                                 "modified; please apply your changes to the latest version and try again")
    assert status["details"] == {"name": name, "kind": "configmaps"}
    assert clients.core.read_namespaced_config_map(name, ns).data == {"a": "2"}


def test_invalid_object_is_422_with_field_causes(clients, ns):
    body = statefulset("bad-replicas", ns)
    body["spec"]["replicas"] = -1
    with pytest.raises(ApiException) as failure:
        clients.apps.create_namespaced_stateful_set(ns, body)
    assert failure.value.status == 422
    status = status_of(failure.value)
    assert status["kind"] == "Status" and status["reason"] == "Invalid" and status["code"] == 422
    assert status["message"] == ('StatefulSet.apps "bad-replicas" is invalid: spec.replicas: Invalid value: -1: '
                                 "must be greater than or equal to 0")
    details = status["details"]
    assert details["name"] == "bad-replicas" and details["group"] == "apps" and details["kind"] == "StatefulSet"
    assert details["causes"] == [{"reason": "FieldValueInvalid",
                                  "message": "Invalid value: -1: must be greater than or equal to 0",
                                  "field": "spec.replicas"}]


def test_invalid_object_reports_every_field(clients, ns):
    body = statefulset("bad-spec", ns)
    body["spec"]["template"]["metadata"]["labels"] = {"app": "other"}
    body["spec"]["template"]["spec"]["restartPolicy"] = "Never"
    body["spec"]["podManagementPolicy"] = "Bogus"
    body["spec"]["minReadySeconds"] = -5
    with pytest.raises(ApiException) as failure:
        clients.apps.create_namespaced_stateful_set(ns, body)
    assert failure.value.status == 422
    causes = {cause["field"]: cause["reason"] for cause in status_of(failure.value)["details"]["causes"]}
    assert causes == {
        "spec.podManagementPolicy": "FieldValueInvalid",
        "spec.minReadySeconds": "FieldValueInvalid",
        "spec.template.metadata.labels": "FieldValueInvalid",
        "spec.template.spec.restartPolicy": "FieldValueNotSupported",
    }, causes


def test_generate_name(clients, ns):
    created = clients.core.create_namespaced_config_map(ns, {"metadata": {"generateName": "gen-"}})
    # upstream's suffix: 5 characters from k8s.io/apimachinery/pkg/util/rand's alphabet
    assert re.fullmatch(r"gen-[bcdfghjklmnpqrstvwxz2456789]{5}", created.metadata.name), created.metadata.name
    assert created.metadata.generate_name == "gen-"
    assert clients.core.read_namespaced_config_map(created.metadata.name, ns).metadata.uid == created.metadata.uid


def test_dry_run_creates_nothing(clients, ns):
    created = clients.core.create_namespaced_config_map(
        ns, {"metadata": {"name": "dry"}, "data": {"a": "1"}}, dry_run="All")
    assert created.metadata.name == "dry" and created.data == {"a": "1"}
    with pytest.raises(ApiException) as failure:
        clients.core.read_namespaced_config_map("dry", ns)
    assert failure.value.status == 404
    # Only the root CA publisher's kube-root-ca.crt, as in every namespace of a real cluster.
    assert "dry" not in [item.metadata.name for item in clients.core.list_namespaced_config_map(ns).items]


def test_dry_run_delete_keeps_the_object(clients, ns):
    clients.core.create_namespaced_config_map(ns, {"metadata": {"name": "kept"}})
    clients.core.delete_namespaced_config_map("kept", ns, dry_run="All")
    assert clients.core.read_namespaced_config_map("kept", ns).metadata.name == "kept"


def test_label_selector_list(clients, ns):
    for name, tier in [("a", "web"), ("b", "db"), ("c", "web")]:
        clients.core.create_namespaced_config_map(ns, {"metadata": {"name": name, "labels": {"tier": tier}}})
    web = clients.core.list_namespaced_config_map(ns, label_selector="tier=web")
    assert sorted(item.metadata.name for item in web.items) == ["a", "c"]
    # `tier,` keeps out kube-root-ca.crt, which has no tier label (and `!=` alone selects it).
    not_web = clients.core.list_namespaced_config_map(ns, label_selector="tier,tier!=web")
    assert [item.metadata.name for item in not_web.items] == ["b"]
    by_field = clients.core.list_namespaced_config_map(ns, field_selector="metadata.name=b")
    assert [item.metadata.name for item in by_field.items] == ["b"]
