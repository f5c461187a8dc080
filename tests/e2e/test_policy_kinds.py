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


def test_resource_quota_counts_and_refuses_over_the_limit(kubectl):
    """The quota controller fills the status; admission charges each create and refuses past the hard limit."""
    from support import wait_for
    kubectl("create", "quota", "compute", "--hard=pods=2,requests.cpu=1,count/deployments.apps=1")
    status = wait_for(lambda: (q := kubectl.json("get", "quota", "compute")).get("status", {}).get("used") and q["status"],
                      30, "the quota controller's status")
    assert status["hard"] == {"count/deployments.apps": "1", "pods": "2", "requests.cpu": "1"}
    assert status["used"] == {"count/deployments.apps": "0", "pods": "0", "requests.cpu": "0"}
    missing = kubectl.run("run", "plain", "--image=nginx")
    assert missing.returncode == 1
    assert missing.stderr.strip() == \
        'Error from server (Forbidden): pods "plain" is forbidden: failed quota: compute: must specify requests.cpu for: plain'
    for name, cpu in [("one", "600m"), ("two", "300m")]:
        kubectl("run", name, "--image=nginx", "--overrides",
                '{"spec":{"containers":[{"name":"%s","image":"nginx","resources":{"requests":{"cpu":"%s"}}}]}}' % (name, cpu))
    over = kubectl.run("run", "three", "--image=nginx", "--overrides",
                       '{"spec":{"containers":[{"name":"three","image":"nginx","resources":{"requests":{"cpu":"50m"}}}]}}')
    assert over.returncode == 1
    assert over.stderr.strip() == ('Error from server (Forbidden): pods "three" is forbidden: exceeded quota: compute, '
                                   'requested: pods=1, used: pods=2, limited: pods=2')
    row = rows(kubectl("get", "quota", "compute"))[0]
    assert row["REQUEST"] == "count/deployments.apps: 0/1, pods: 2/2, requests.cpu: 900m/1", row
    # Deleting a pod frees its share once the controller recounts.
    kubectl("delete", "pod", "two", "--wait=false")
    wait_for(lambda: kubectl.json("get", "quota", "compute")["status"]["used"]["pods"] == "1", 60, "the quota recounted")


def test_limit_range_defaults_and_bounds_containers(kubectl):
    kubectl("apply", "-f", "-", input="""apiVersion: v1
kind: LimitRange
metadata: {name: cpu-bounds}
spec:
  limits:
  - type: Container
    default: {cpu: 300m}
    defaultRequest: {cpu: 100m}
    max: {cpu: "1"}
""")
    kubectl("run", "defaulted", "--image=nginx")
    pod = kubectl.json("get", "pod", "defaulted")
    assert pod["spec"]["containers"][0]["resources"] == {"limits": {"cpu": "300m"}, "requests": {"cpu": "100m"}}
    assert pod["metadata"]["annotations"]["kubernetes.io/limit-ranger"] == \
        "LimitRanger plugin set: cpu request for container defaulted; cpu limit for container defaulted"
    big = kubectl.run("run", "big", "--image=nginx", "--overrides",
                      '{"spec":{"containers":[{"name":"big","image":"nginx","resources":{"limits":{"cpu":"2"}}}]}}')
    assert big.returncode == 1
    assert big.stderr.strip() == \
        'Error from server (Forbidden): pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2'


APISERVICE = """apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1beta1.e2e.example.com}
spec:
  service: {name: e2e-api, namespace: default}
  group: e2e.example.com
  version: v1beta1
  insecureSkipTLSVerify: true
  groupPriorityMinimum: 100
  versionPriority: 100
"""


def test_api_services_list_the_local_groups_and_store_others(cluster_kubectl, clients, tmp_path):
    local = {row["NAME"]: row for row in rows(cluster_kubectl("get", "apiservices"))}
    for name in ["v1.", "v1.apps", "v2.autoscaling", "v1.scheduling.k8s.io", "v1.apiregistration.k8s.io"]:
        assert (local[name]["SERVICE"], local[name]["AVAILABLE"]) == ("Local", "True"), local.get(name)
    document = tmp_path / "apiservice.yaml"
    document.write_text(APISERVICE)
    created = k8s_utils.create_from_yaml(clients.api_client, str(document))
    try:
        assert created[0][0].kind == "APIService"
        row = rows(cluster_kubectl("get", "apiservice", "v1beta1.e2e.example.com"))[0]
        assert (row["SERVICE"], row["AVAILABLE"]) == ("default/e2e-api", "False (FailedDiscoveryCheck)")
        wrong = cluster_kubectl.run("apply", "-f", "-", input=APISERVICE.replace("name: v1beta1.e2e", "name: v1.e2e"))
        assert wrong.returncode == 1 and 'must be `spec.version+"."+spec.group`: "v1beta1.e2e.example.com"' in wrong.stderr, wrong.stderr
    finally:
        cluster_kubectl("delete", "apiservice", "v1beta1.e2e.example.com")
