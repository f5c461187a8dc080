"""The version views of issue 15, end to end: autoscaling/v1 HorizontalPodAutoscaler (a view of the stored
autoscaling/v2 object) and events.k8s.io/v1 Event (a view of core/v1 Events), driven with the machine's
kubectl (autoscale, get, events) and the official Python client (AutoscalingV1Api/V2Api, EventsV1Api,
CoreV1Api, create_from_yaml): round trips across versions, converted watches, upstream's validation."""

import datetime
import json

import pytest
from kubernetes import client as k8s_client, utils as k8s_utils, watch as k8s_watch
from kubernetes.client.rest import ApiException

from support import parse_table, wait_for


def rows(text):
    return parse_table(text)[0]["rows"]


@pytest.fixture
def apis(clients):
    c = clients.api_client
    return dict(v1=k8s_client.AutoscalingV1Api(c), v2=k8s_client.AutoscalingV2Api(c),
                events=k8s_client.EventsV1Api(c), core=clients.core, batch=k8s_client.BatchV1Api(c),
                rbac=k8s_client.RbacAuthorizationV1Api(c))


def v1_hpa(name, min_replicas=2, max_replicas=5, cpu=80):
    return k8s_client.V1HorizontalPodAutoscaler(
        metadata=k8s_client.V1ObjectMeta(name=name),
        spec=k8s_client.V1HorizontalPodAutoscalerSpec(
            scale_target_ref=k8s_client.V1CrossVersionObjectReference(api_version="apps/v1", kind="Deployment", name="web"),
            min_replicas=min_replicas, max_replicas=max_replicas, target_cpu_utilization_percentage=cpu))


def test_kubectl_autoscale_and_the_v1_view(kubectl, ns):
    kubectl("create", "deployment", "web", "--image=nginx")
    assert kubectl("autoscale", "deployment", "web", "--min=2", "--max=5", "--cpu-percent=80").strip() == \
        "horizontalpodautoscaler.autoscaling/web autoscaled"
    table = parse_table(kubectl("get", "hpa"))[0]
    assert table["header"] == ["NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"]
    row = table["rows"][0]
    assert (row["NAME"], row["REFERENCE"], row["TARGETS"], row["MINPODS"], row["MAXPODS"]) == \
        ("web", "Deployment/web", "cpu: <unknown>/80%", "2", "5")
    # The full resource name: kubectl 1.32 (client-go's shortcutExpander.expandResourceShortcut) drops the
    # version when it expands a short name, so `hpa.v1.autoscaling` asks for the preferred autoscaling/v2,
    # against kube-apiserver too. The server is not at fault; kubectl's request is checked here.
    assert "/apis/autoscaling/v2/" in kubectl.run("get", "hpa.v1.autoscaling", "web", "-v=6").stderr
    v1 = kubectl.json("get", "horizontalpodautoscalers.v1.autoscaling", "web")
    assert v1["apiVersion"] == "autoscaling/v1" and v1["spec"]["targetCPUUtilizationPercentage"] == 80
    assert "metrics" not in v1["spec"]
    raw = json.loads(kubectl("get", "--raw", f"/apis/autoscaling/v1/namespaces/{ns}/horizontalpodautoscalers/web"))
    assert raw["apiVersion"] == "autoscaling/v1" and raw["spec"]["targetCPUUtilizationPercentage"] == 80
    v2 = kubectl.json("get", "hpa.v2.autoscaling", "web")
    assert v2["apiVersion"] == "autoscaling/v2"
    assert v2["spec"]["metrics"][0]["resource"]["target"] == {"type": "Utilization", "averageUtilization": 80}


def test_python_v1_hpa_round_trips_through_v2_and_watches(apis, ns):
    v1, v2 = apis["v1"], apis["v2"]
    created = v1.create_namespaced_horizontal_pod_autoscaler(ns, v1_hpa("web"))
    assert created.spec.target_cpu_utilization_percentage == 80
    metric = v2.read_namespaced_horizontal_pod_autoscaler("web", ns).spec.metrics[0]
    assert (metric.type, metric.resource.name, metric.resource.target.type, metric.resource.target.average_utilization) == \
        ("Resource", "cpu", "Utilization", 80)
    patched = v1.patch_namespaced_horizontal_pod_autoscaler("web", ns, {"spec": {"targetCPUUtilizationPercentage": 50,
                                                                                "maxReplicas": 7}})
    assert (patched.spec.target_cpu_utilization_percentage, patched.spec.max_replicas) == (50, 7)
    assert v2.read_namespaced_horizontal_pod_autoscaler("web", ns).spec.metrics[0].resource.target.average_utilization == 50
    listed = v1.list_namespaced_horizontal_pod_autoscaler(ns)
    assert [h.metadata.name for h in listed.items] == ["web"] and listed.items[0].spec.target_cpu_utilization_percentage == 50
    stream = k8s_watch.Watch().stream(v1.list_namespaced_horizontal_pod_autoscaler, ns,
                                      resource_version=listed.metadata.resource_version, timeout_seconds=10)
    v2.patch_namespaced_horizontal_pod_autoscaler("web", ns, {"spec": {"minReplicas": 3}})
    for event in stream:
        assert event["type"] == "MODIFIED"
        assert isinstance(event["object"], k8s_client.V1HorizontalPodAutoscaler)
        assert event["raw_object"]["apiVersion"] == "autoscaling/v1"
        assert (event["object"].spec.min_replicas, event["object"].spec.target_cpu_utilization_percentage) == (3, 50)
        break
    else:
        pytest.fail("no watch event in autoscaling/v1 form")


@pytest.mark.parametrize("bounds, cause", [
    ((0, 5), "spec.minReplicas: Invalid value: 0: must be greater than or equal to 1"),
    ((4, 2), "spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`"),
])
def test_v1_hpa_validation(apis, ns, bounds, cause):
    with pytest.raises(ApiException) as error:
        apis["v1"].create_namespaced_horizontal_pod_autoscaler(ns, v1_hpa("bad", *bounds))
    assert error.value.status == 422 and cause in error.value.body, error.value.body


def now():
    return datetime.datetime.now(datetime.timezone.utc)


def test_events_v1_and_core_v1_are_one_resource(apis, ns):
    events, core = apis["events"], apis["core"]
    event = k8s_client.EventsV1Event(
        metadata=k8s_client.V1ObjectMeta(name="web.1"), event_time=now(), reporting_controller="e2e.io/tester",
        reporting_instance="tester-1", action="Testing", reason="Checked", type="Normal", note="all good",
        regarding=k8s_client.V1ObjectReference(kind="Deployment", namespace=ns, name="web", api_version="apps/v1"))
    events.create_namespaced_event(ns, event)
    legacy = core.read_namespaced_event("web.1", ns)
    assert (legacy.message, legacy.reason, legacy.type, legacy.action) == ("all good", "Checked", "Normal", "Testing")
    assert (legacy.involved_object.kind, legacy.involved_object.name) == ("Deployment", "web")
    assert (legacy.reporting_component, legacy.reporting_instance) == ("e2e.io/tester", "tester-1")
    core.create_namespaced_event(ns, k8s_client.CoreV1Event(
        metadata=k8s_client.V1ObjectMeta(name="pod.1"), message="from core", reason="Legacy", type="Warning",
        involved_object=k8s_client.V1ObjectReference(kind="Pod", namespace=ns, name="p"),
        first_timestamp=now(), last_timestamp=now(), count=2, source=k8s_client.V1EventSource(component="old")))
    # Read as JSON: a legacy event has no eventTime, which the Python client's EventsV1Event refuses (as upstream).
    listed = json.loads(events.list_namespaced_event(ns, _preload_content=False).data)
    assert listed["apiVersion"] == "events.k8s.io/v1"
    by_name = {e["metadata"]["name"]: e for e in listed["items"]}
    assert by_name["pod.1"]["note"] == "from core" and by_name["pod.1"]["regarding"]["name"] == "p"
    assert by_name["pod.1"]["deprecatedCount"] == 2 and by_name["pod.1"]["deprecatedSource"] == {"component": "old"}
    assert by_name["web.1"]["note"] == "all good"


@pytest.mark.parametrize("drop, cause", [
    ("event_time", "eventTime: Required value"),
    ("reporting_controller", "reportingController: Required value"),
])
def test_events_v1_validation(apis, ns, drop, cause):
    fields = dict(metadata=k8s_client.V1ObjectMeta(name="bad"), event_time=now(), reporting_controller="e2e.io/t",
                  reporting_instance="t-1", action="A", reason="R", type="Normal",
                  regarding=k8s_client.V1ObjectReference(kind="Pod", namespace=ns, name="p"))
    body = apis["events"].api_client.sanitize_for_serialization(k8s_client.EventsV1Event(**fields))
    body.pop({"event_time": "eventTime", "reporting_controller": "reportingController"}[drop])
    with pytest.raises(ApiException) as error:
        apis["events"].create_namespaced_event(ns, body)
    assert error.value.status == 422 and cause in error.value.body, error.value.body


def test_kubectl_events_lists_controller_events(kubectl):
    kubectl("create", "deployment", "web", "--image=nginx", "--replicas=1")
    text = wait_for(lambda: (out := kubectl("events")) and "ScalingReplicaSet" in out and out, 30,
                    "a ScalingReplicaSet event in kubectl events")
    table = parse_table(text)[0]
    assert table["header"] == ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    scaling = next(r for r in table["rows"] if r["REASON"] == "ScalingReplicaSet")
    assert scaling["OBJECT"] == "Deployment/web" and scaling["TYPE"] == "Normal"
    filtered = rows(kubectl("events", "--for", "deployment/web"))
    assert filtered and {r["OBJECT"] for r in filtered} == {"Deployment/web"}
    listed = rows(kubectl("get", "events.v1.events.k8s.io"))
    assert any(r["REASON"] == "ScalingReplicaSet" for r in listed)


MIXED = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx}]}
---
apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 4
  targetCPUUtilizationPercentage: 70
---
apiVersion: events.k8s.io/v1
kind: Event
metadata: {name: web.deployed}
eventTime: "2026-01-01T00:00:00.000000Z"
reportingController: e2e.io/deployer
reportingInstance: deployer-1
action: Deploy
reason: Deployed
type: Normal
note: rolled out
regarding: {apiVersion: apps/v1, kind: Deployment, namespace: NAMESPACE, name: web}
---
apiVersion: batch/v1
kind: Job
metadata: {name: once}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: once, image: busybox, command: ["true"]}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: deployer}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader}
rules: [{apiGroups: [""], resources: [pods], verbs: [get, list]}]
"""


def test_create_from_yaml_with_view_kinds(clients, apis, ns, tmp_path):
    document = tmp_path / "mixed.yaml"
    document.write_text(MIXED.replace("NAMESPACE", ns))  # upstream: regarding.namespace must match
    created = k8s_utils.create_from_yaml(clients.api_client, str(document), namespace=ns)
    assert [objects[0].kind for objects in created] == \
        ["Deployment", "HorizontalPodAutoscaler", "Event", "Job", "ServiceAccount", "Role"]
    assert apis["v1"].read_namespaced_horizontal_pod_autoscaler("web", ns).spec.target_cpu_utilization_percentage == 70
    assert apis["v2"].read_namespaced_horizontal_pod_autoscaler("web", ns).spec.max_replicas == 4
    assert apis["events"].read_namespaced_event("web.deployed", ns).note == "rolled out"
    assert apis["core"].read_namespaced_event("web.deployed", ns).message == "rolled out"
    assert clients.apps.read_namespaced_deployment("web", ns).metadata.name == "web"
    assert apis["batch"].read_namespaced_job("once", ns).metadata.name == "once"
    assert apis["core"].read_namespaced_service_account("deployer", ns).metadata.name == "deployer"
    assert apis["rbac"].read_namespaced_role("reader", ns).rules[0].resources == ["pods"]
