"""The HorizontalPodAutoscaler controller against real pods: a Deployment of busybox pods spinning a
CPU is scaled up from the node's metrics, then, once the load stops, back down after the scale-down
stabilization window, which the test skips by moving the cluster's clock (`--testing-clock`). Created
and read with the official Python client; `kubectl get hpa` and `kubectl describe hpa` show it."""

import os
import shutil

import pytest
from kubernetes import client as k8s_client

from support import Kubectl, create_namespace, wait_for

needs_root = pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None,
                                reason="real pods need root and util-linux unshare (pods are simulated otherwise)")


def deployment(trigger_dir):
    """busybox pods that spin one CPU each until `stop` appears in the shared directory, then sleep."""
    return {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "burn"},
        "spec": {
            "replicas": 1, "selector": {"matchLabels": {"app": "burn"}},
            "template": {
                "metadata": {"labels": {"app": "burn"}},
                "spec": {
                    "terminationGracePeriodSeconds": 1,
                    "containers": [{
                        "name": "burn", "image": "busybox",
                        "command": ["sh", "-c", "while [ ! -e /ctl/stop ]; do :; done; while :; do sleep 1; done"],
                        "resources": {"requests": {"cpu": "100m"}},
                        "volumeMounts": [{"name": "ctl", "mountPath": "/ctl"}],
                    }],
                    "volumes": [{"name": "ctl", "hostPath": {"path": str(trigger_dir), "type": "Directory"}}],
                },
            },
        },
    }


def condition(hpa, kind):
    return next((c for c in hpa.status.conditions or [] if c.type == kind), None)


@needs_root
def test_an_hpa_scales_a_deployment_up_and_back_down(start_server, kubectl_cache, tmp_path):
    server = start_server("--testing-clock", "--metric-resolution", "1s")
    ns = create_namespace(server, "hpa")
    kubectl = Kubectl(server, kubectl_cache, namespace=ns)
    trigger = tmp_path / "trigger"
    trigger.mkdir()
    api = server.api_client()
    apps = k8s_client.AppsV1Api(api)
    autoscaling = k8s_client.AutoscalingV2Api(api)
    apps.create_namespaced_deployment(ns, deployment(trigger))
    autoscaling.create_namespaced_horizontal_pod_autoscaler(ns, {
        "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "burn"},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "burn"},
            "minReplicas": 1, "maxReplicas": 2,
            "metrics": [{"type": "Resource", "resource": {"name": "cpu",
                                                          "target": {"type": "Utilization", "averageUtilization": 50}}}],
            "behavior": {"scaleDown": {"selectPolicy": "Max"}},
        },
    })
    created = autoscaling.read_namespaced_horizontal_pod_autoscaler("burn", ns)
    assert created.spec.behavior.scale_down.stabilization_window_seconds == 300
    assert [(p.type, p.value, p.period_seconds) for p in created.spec.behavior.scale_up.policies] == [
        ("Pods", 4, 15), ("Percent", 100, 15)]

    # The spinning pod uses about a core against its 100m request: the HPA (resyncing every 15 s) wants
    # far more than 2 and is limited by maxReplicas.
    wait_for(lambda: apps.read_namespaced_deployment("burn", ns).spec.replicas == 2, 60,
             "the HPA to scale burn to 2 replicas")
    hpa = wait_for(lambda: (h := autoscaling.read_namespaced_horizontal_pod_autoscaler("burn", ns)).status.desired_replicas == 2
                   and h, 20, "the HPA's status to say 2")
    assert condition(hpa, "AbleToScale").reason == "SucceededRescale"
    assert condition(hpa, "ScalingActive").reason == "ValidMetricFound"
    assert condition(hpa, "ScalingLimited").reason == "TooManyReplicas"
    assert hpa.status.current_metrics[0].resource.current.average_utilization > 50
    assert hpa.status.last_scale_time is not None
    events = kubectl.json("get", "events", "--field-selector", "involvedObject.name=burn,reason=SuccessfulRescale")["items"]
    assert [e["message"] for e in events] == ["New size: 2; reason: cpu resource utilization (percentage of request) above target"]
    assert events[0]["source"]["component"] == "horizontal-pod-autoscaler"
    table = kubectl("get", "hpa", "burn").splitlines()
    assert table[0].split()[:5] == ["NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS"]
    assert table[1].split()[1] == "Deployment/burn" and table[1].split()[2].startswith("cpu:")

    # The load stops: the HPA wants 1 but holds 2 through the 300 s scale-down stabilization window.
    (trigger / "stop").touch()
    held = wait_for(lambda: (h := autoscaling.read_namespaced_horizontal_pod_autoscaler("burn", ns))
                    and condition(h, "AbleToScale") and condition(h, "AbleToScale").reason == "ScaleDownStabilized" and h,
                    60, "the HPA to hold the scale-down back")
    assert held.status.current_metrics[0].resource.current.average_utilization < 50
    assert apps.read_namespaced_deployment("burn", ns).spec.replicas == 2
    described = kubectl("describe", "hpa", "burn")
    assert "ScaleDownStabilized" in described and "recent recommendations were higher than current one" in described

    # Past the window on the cluster's clock, the next resync scales down to minReplicas.
    moved = server.raw("POST", "/kubelite/testing/clock", body={"advanceSeconds": 301})
    assert moved.status_code == 200, moved.text
    wait_for(lambda: apps.read_namespaced_deployment("burn", ns).spec.replicas == 1, 30,
             "the HPA to scale burn back to 1 replica")
    wait_for(lambda: "New size: 1; reason: All metrics below target" in [
        e["message"] for e in kubectl.json("get", "events", "--field-selector", "reason=SuccessfulRescale")["items"]],
        10, "the scale-down's SuccessfulRescale event")
    api.close()
