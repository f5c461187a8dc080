"""The policy and scheduling kinds of the workload API (issue 15): PodTemplate, LimitRange, ResourceQuota,
NetworkPolicy, PriorityClass (with Priority admission), RuntimeClass and autoscaling/v2 HorizontalPodAutoscaler,
driven with the machine's kubectl and the official Python client's create_from_yaml."""

import pytest
from kubernetes import utils as k8s_utils

from support import Kubectl, parse_table


@pytest.fixture
def cluster_kubectl(server, kubectl_cache):
    return Kubectl(server, kubectl_cache, namespace=None)


def rows(text):
    return parse_table(text)[0]["rows"]

KINDS = """apiVersion: v1
kind: PodTemplate
metadata: {name: web-template}
template:
  metadata: {labels: {app: web}}
  spec: {containers: [{name: web, image: nginx}]}
---
apiVersion: v1
kind: LimitRange
metadata: {name: limits}
spec:
  limits:
  - type: Container
    max: {cpu: "2"}
    min: {memory: 64Mi}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-ingress}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}]
    ports: [{port: 80}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 5
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 60}}
"""


def test_namespaced_kinds_round_trip_with_kubectl(kubectl):
    assert kubectl("apply", "-f", "-", input=KINDS).split("\n")[:4] == [
        "podtemplate/web-template created", "limitrange/limits created",
        "networkpolicy.networking.k8s.io/web-ingress created", "horizontalpodautoscaler.autoscaling/web created"]
    assert rows(kubectl("get", "podtemplates")) == [
        {"NAME": "web-template", "CONTAINERS": "web", "IMAGES": "nginx", "POD LABELS": "app=web"}]
    netpol = rows(kubectl("get", "netpol"))[0]
    assert (netpol["NAME"], netpol["POD-SELECTOR"]) == ("web-ingress", "app=web")
    hpa = rows(kubectl("get", "hpa"))[0]
    assert (hpa["REFERENCE"], hpa["TARGETS"], hpa["MINPODS"], hpa["MAXPODS"], hpa["REPLICAS"]) == \
        ("Deployment/web", "cpu: <unknown>/60%", "2", "5", "0")
    # Upstream's defaults: the LimitRange's default limit and request, the policy's types and protocol.
    limits = kubectl.json("get", "limits", "limits")["spec"]["limits"][0]
    assert (limits["default"], limits["defaultRequest"]) == ({"cpu": "2"}, {"cpu": "2", "memory": "64Mi"})
    policy = kubectl.json("get", "netpol", "web-ingress")["spec"]
    assert policy["policyTypes"] == ["Ingress"] and policy["ingress"][0]["ports"] == [{"port": 80, "protocol": "TCP"}]
    assert "Max replicas:" in kubectl("describe", "hpa", "web")
    assert "Pod-Selector" in kubectl("describe", "netpol", "web-ingress") or "PodSelector" in kubectl("describe", "netpol", "web-ingress")
    # Imperatively, and validation with upstream's causes.
    assert kubectl("create", "quota", "compute", "--hard=pods=4,requests.cpu=1").strip() == "resourcequota/compute created"
    bad = kubectl.run("create", "quota", "bad", "--hard=pods=-1")
    assert bad.returncode == 1 and 'spec.hard[pods]: Invalid value: "-1": must be greater than or equal to 0' in bad.stderr, bad.stderr
    bad_hpa = kubectl.run("apply", "-f", "-", input=KINDS.split("---")[-1].replace("minReplicas: 2", "minReplicas: 9"))
    assert bad_hpa.returncode == 1 and "spec.maxReplicas: Invalid value: 5: must be greater than or equal to `minReplicas`" in bad_hpa.stderr


def test_priority_classes_and_pod_priority(cluster_kubectl, kubectl):
    names = [row["NAME"] for row in rows(cluster_kubectl("get", "priorityclasses"))]
    assert {"system-cluster-critical", "system-node-critical"} <= set(names)
    assert cluster_kubectl("create", "priorityclass", "e2e-high", "--value=1000").strip() == \
        "priorityclass.scheduling.k8s.io/e2e-high created"
    try:
        row = next(r for r in rows(cluster_kubectl("get", "pc")) if r["NAME"] == "e2e-high")
        assert (row["VALUE"], row["GLOBAL-DEFAULT"], row["PREEMPTIONPOLICY"]) == ("1000", "false", "PreemptLowerPriority")
        reserved = cluster_kubectl.run("create", "priorityclass", "system-mine", "--value=10")
        assert reserved.returncode == 1 and "reserved for system use only" in reserved.stderr, reserved.stderr
        kubectl("run", "important", "--image=nginx", "--overrides", '{"spec":{"priorityClassName":"e2e-high"}}')
        spec = kubectl.json("get", "pod", "important")["spec"]
        assert (spec["priority"], spec["preemptionPolicy"]) == (1000, "PreemptLowerPriority")
        missing = kubectl.run("run", "lost", "--image=nginx", "--overrides", '{"spec":{"priorityClassName":"nope"}}')
        assert missing.returncode == 1
        assert missing.stderr.strip() == 'Error from server (Forbidden): pods "lost" is forbidden: no PriorityClass with name nope was found'
    finally:
        cluster_kubectl("delete", "priorityclass", "e2e-high")


def test_runtime_class_handler_is_immutable(cluster_kubectl):
    cluster_kubectl("create", "-f", "-", input="apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata: {name: e2e-runc}\nhandler: runc\n")
    try:
        assert rows(cluster_kubectl("get", "runtimeclass", "e2e-runc"))[0]["HANDLER"] == "runc"
        changed = cluster_kubectl.run("patch", "runtimeclass", "e2e-runc", "-p", '{"handler":"crun"}')
        assert changed.returncode == 1 and 'handler: Invalid value: "crun": field is immutable' in changed.stderr, changed.stderr
    finally:
        cluster_kubectl("delete", "runtimeclass", "e2e-runc")


def test_python_client_create_from_yaml_with_these_kinds(clients, ns, tmp_path):
    document = tmp_path / "kinds.yaml"
    document.write_text(KINDS)
    created = k8s_utils.create_from_yaml(clients.api_client, str(document), namespace=ns)
    assert [objects[0].kind for objects in created] == ["PodTemplate", "LimitRange", "NetworkPolicy", "HorizontalPodAutoscaler"]
