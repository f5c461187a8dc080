"""metrics.k8s.io and `kubectl top` (kubectl 1.32 and the official Python client): a real pod's CPU as the
node measures it from /proc while it waits and then spins, per container, the node's usage, and
metrics-server's answers for what it does not serve. The server scrapes every second
(`--metric-resolution 1s`) so the test waits seconds, not minutes; every wait has a deadline."""

import os
import re
import shutil

import pytest
from kubernetes import client as k8s_client

from support import Kubectl, assert_status, create_namespace, wait_for

needs_root = pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None,
                                reason="real pods need root and util-linux unshare (pods are simulated otherwise)")


def cpu_millicores(text):
    """kubectl top's CPU column: `12m` or `1` cores."""
    return int(text[:-1]) if text.endswith("m") else int(float(text) * 1000)


def top_row(kubectl, *args):
    """The first data row of `kubectl top ...` split into columns (kubectl fails while there are no metrics)."""
    lines = kubectl("top", *args).strip().splitlines()
    return lines[1].split() if len(lines) > 1 else None


def spinner(name, trigger_dir):
    """A busybox pod that idles until `go` appears in the shared directory, then spins one CPU."""
    return {
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"app": name}},
        "spec": {
            "containers": [{
                "name": "spin", "image": "busybox",
                "command": ["sh", "-c", "while [ ! -e /ctl/go ]; do sleep 0.2; done; while :; do :; done"],
                "resources": {"requests": {"cpu": "100m", "memory": "16Mi"}},
                "volumeMounts": [{"name": "ctl", "mountPath": "/ctl"}],
            }],
            "volumes": [{"name": "ctl", "hostPath": {"path": str(trigger_dir), "type": "Directory"}}],
        },
    }


@needs_root
def test_kubectl_top_shows_a_real_pods_cpu_rising_while_it_spins(start_server, kubectl_cache, tmp_path):
    server = start_server("--metric-resolution", "1s")
    ns = create_namespace(server, "top")
    kubectl = Kubectl(server, kubectl_cache, namespace=ns)
    trigger = tmp_path / "trigger"
    trigger.mkdir()
    api = server.api_client()
    core = k8s_client.CoreV1Api(api)
    core.create_namespaced_pod(ns, spinner("spin", trigger))
    wait_for(lambda: core.read_namespaced_pod("spin", ns).status.phase == "Running", 30, "pod spin to run")

    idle = wait_for(lambda: top_row(kubectl, "pod", "spin"), 20, "kubectl top pod to show the waiting pod")
    assert idle[0] == "spin"
    assert cpu_millicores(idle[1]) < 100, idle
    assert re.fullmatch(r"\d+Mi", idle[2]), idle

    (trigger / "go").touch()
    busy = wait_for(lambda: (row := top_row(kubectl, "pod", "spin")) and cpu_millicores(row[1]) >= 300 and row,
                    30, "kubectl top pod to show the spinning pod's CPU above 300m")
    assert cpu_millicores(busy[1]) > cpu_millicores(idle[1])

    containers = kubectl("top", "pod", "spin", "--containers").strip().splitlines()
    assert containers[0].split() == ["POD", "NAME", "CPU(cores)", "MEMORY(bytes)"]
    assert containers[1].split()[:2] == ["spin", "spin"]
    assert cpu_millicores(containers[1].split()[2]) >= 300

    # The same object through the official client, as metrics-server's clients read it.
    custom = k8s_client.CustomObjectsApi(api)
    metrics = custom.get_namespaced_custom_object("metrics.k8s.io", "v1beta1", ns, "pods", "spin")
    assert metrics["kind"] == "PodMetrics"
    assert metrics["metadata"]["labels"] == {"app": "spin"}
    assert [c["name"] for c in metrics["containers"]] == ["spin"]
    assert re.fullmatch(r"\d+(n|u|m)?", metrics["containers"][0]["usage"]["cpu"]), metrics
    assert re.fullmatch(r"[0-9.]+m?s", metrics["window"]), metrics
    listed = custom.list_namespaced_custom_object("metrics.k8s.io", "v1beta1", ns, "pods", label_selector="app=spin")
    assert [item["metadata"]["name"] for item in listed["items"]] == ["spin"]
    api.close()


def test_kubectl_top_node_and_metrics_servers_answers(start_server, kubectl_cache):
    server = start_server("--metric-resolution", "1s")
    ns = create_namespace(server, "nodes")
    kubectl = Kubectl(server, kubectl_cache, namespace=ns)
    kubectl("run", "idle", "--image=pause", "--overrides",
            '{"spec":{"containers":[{"name":"idle","image":"pause","resources":{"requests":{"cpu":"250m","memory":"64Mi"}}}]}}')
    node = wait_for(lambda: top_row(kubectl, "node"), 20, "kubectl top node to show the node")
    assert node[0] == "kubelite-node"
    assert re.fullmatch(r"\d+m?", node[1]) and re.fullmatch(r"\d+%", node[2]), node
    assert re.fullmatch(r"\d+Mi", node[3]) and re.fullmatch(r"\d+%", node[4]), node

    assert_status(server.raw("GET", "/apis/metrics.k8s.io/v1beta1/nodes/no-such-node"), 404, "NotFound",
                  'node "no-such-node" not found')
    assert_status(server.raw("GET", f"/apis/metrics.k8s.io/v1beta1/namespaces/{ns}/pods/no-such-pod"), 404, "NotFound",
                  'pods "no-such-pod" not found')
    assert_status(server.raw("GET", f"/apis/metrics.k8s.io/v1beta1/namespaces/{ns}/pods", params={"watch": "true"}),
                  405, "MethodNotAllowed", 'watch is not supported on resources of kind "pods.metrics.k8s.io"')
    resources = server.raw("GET", "/apis/metrics.k8s.io/v1beta1").json()["resources"]
    assert {r["name"]: r["verbs"] for r in resources} == {"nodes": ["get", "list"], "pods": ["get", "list"]}
    # kubectl get reads metrics-server's Table.
    table = wait_for(lambda: (out := kubectl("get", "pods.metrics.k8s.io")).startswith("NAME") and out, 20,
                     "kubectl get pods.metrics.k8s.io to list the pod's metrics")
    assert table.splitlines()[0].split() == ["NAME", "CPU", "MEMORY", "WINDOW"]
    assert table.splitlines()[1].split()[0] == "idle"
