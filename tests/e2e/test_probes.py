"""Probes and lifecycle hooks on pods that really run (`--pod-runtime auto`, root on Linux), driven
with kubectl: a failing liveness probe restarts the container, an httpGet readiness probe reaches a
server inside the pod, a preStop hook runs before the container's SIGTERM. They need root (real
pods), as CI has; elsewhere they are skipped."""

import json
import subprocess

import pytest

from support import wait_for
from test_real_pods import needs_root, pod, run


def apply(server, manifest):
    subprocess.run(["kubectl", "--kubeconfig", str(server.kubeconfig), "apply", "-f", "-"], input=json.dumps(manifest),
                   check=True, capture_output=True, text=True, timeout=30)


def pod_manifest(name, container, **spec):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [container], "terminationGracePeriodSeconds": 5, **spec}}


def events(server, name, reason):
    return [e["message"] for e in json.loads(run(server, "get", "events", "-o", "json"))["items"]
            if e["involvedObject"]["name"] == name and e["reason"] == reason]


@needs_root
def test_a_failing_liveness_probe_restarts_the_container(start_server, tmp_path):
    server = start_server("--data-dir", tmp_path)
    apply(server, pod_manifest("live", {"name": "c", "image": "busybox", "command": ["sleep", "300"],
                                        "livenessProbe": {"exec": {"command": ["sh", "-c", "echo sick; exit 1"]},
                                                          "periodSeconds": 1, "failureThreshold": 2}}))
    wait_for(lambda: pod(server, "live")["status"].get("containerStatuses", [{}])[0].get("restartCount", 0) >= 1, 60,
             "the container to restart")
    assert events(server, "live", "Unhealthy")[0] == "Liveness probe failed: sick\n"
    assert "Container c failed liveness probe, will be restarted" in events(server, "live", "Killing")
    status = pod(server, "live")["status"]["containerStatuses"][0]
    assert status["lastState"]["terminated"]["exitCode"] == 143  # SIGTERM


@needs_root
def test_an_http_readiness_probe_against_python_http_server_turns_ready(start_server, tmp_path):
    server = start_server("--data-dir", tmp_path)
    apply(server, pod_manifest("web", {"name": "web", "image": "python", "command": ["python3", "-m", "http.server", "8080"],
                                       "workingDir": str(tmp_path), "ports": [{"name": "http", "containerPort": 8080}],
                                       "readinessProbe": {"httpGet": {"path": "/", "port": "http"}, "periodSeconds": 1}}))
    ready = wait_for(lambda: (p := pod(server, "web")) and any(
        c["type"] == "Ready" and c["status"] == "True" for c in p["status"].get("conditions", [])) and p, 60, "the pod to be Ready")
    assert ready["status"]["containerStatuses"][0]["ready"] is True
    assert ready["status"]["containerStatuses"][0]["started"] is True


@needs_root
def test_a_prestop_hook_runs_before_the_container_ends(start_server, tmp_path):
    server = start_server("--data-dir", tmp_path)
    # The files reach the host through a hostPath volume (the pod's root is its own).
    shared = tmp_path / "shared"
    shared.mkdir()
    hook, seen = shared / "prestop", shared / "seen-at-sigterm"
    # The container notes at its SIGTERM whether the hook's file was there already.
    script = "trap 'test -f /shared/prestop && echo yes > /shared/seen-at-sigterm; exit 0' TERM; while true; do sleep 0.1; done"
    apply(server, pod_manifest("stopper", {"name": "c", "image": "busybox", "command": ["sh", "-c", script],
                                           "volumeMounts": [{"name": "shared", "mountPath": "/shared"}],
                                           "lifecycle": {"preStop": {"exec": {"command": ["sh", "-c", "echo bye > /shared/prestop"]}}}},
                               volumes=[{"name": "shared", "hostPath": {"path": str(shared)}}]))
    wait_for(lambda: "running" in pod(server, "stopper")["status"].get("containerStatuses", [{"state": {}}])[0]["state"], 30,
             "the container to run")
    run(server, "delete", "pod", "stopper", "--wait=true", "--timeout=30s")
    assert hook.read_text() == "bye\n"
    assert seen.read_text() == "yes\n"
