"""Pods that really run (`--pod-runtime auto`, root on Linux): processes in the pod's namespaces, their
exit codes and logs, a `Simulated` event for pods that cannot run, and nothing left behind after a
shutdown or a crash. exec, attach and `kubectl logs` go through the API server's endpoints (tested
with them); here the runtime is observed through the pod's status, its log files and /proc."""

import json
import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from support import kubelite_binary, wait_for

needs_root = pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None,
                                reason="real pods need root and util-linux unshare (pods are simulated otherwise)")

MARKER = b"KUBELITE_RUNTIME_ROOT="


def run(server, *args):
    return subprocess.run(["kubectl", "--kubeconfig", str(server.kubeconfig), *args],
                          check=True, capture_output=True, text=True, timeout=30).stdout


def pod(server, name):
    return json.loads(run(server, "get", "pod", name, "-o", "json"))


def runtime_processes(root):
    """PIDs whose environment marks them as pods of the kubelite whose runtime root is `root`."""
    wanted = MARKER + str(root).encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if wanted in (entry / "environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


@needs_root
def test_a_real_pod_reports_its_exit_code_and_keeps_its_log(start_server, tmp_path):
    server = start_server("--data-dir", tmp_path)
    run(server, "run", "once", "--image=busybox", "--restart=Never", "--", "sh", "-c", "hostname; echo done; exit 3")
    done = wait_for(lambda: (p := pod(server, "once"))["status"].get("phase") == "Failed" and p, 30, "pod once to fail")
    terminated = done["status"]["containerStatuses"][0]["state"]["terminated"]
    assert (terminated["exitCode"], terminated["reason"]) == (3, "Error")
    log = tmp_path / "pods" / f"default_once_{done['metadata']['uid']}" / "once" / "0.log"
    lines = [line.split(" ", 3) for line in log.read_text().splitlines()]
    assert [(stream, tag, text) for _, stream, tag, text in lines] == [("stdout", "F", "once"), ("stdout", "F", "done")]


@needs_root
def test_a_pod_whose_image_is_not_in_the_catalog_is_simulated_and_says_why(start_server):
    server = start_server()
    run(server, "run", "sim", "--image=quay.io/nothing/here:1")
    event = wait_for(lambda: [e for e in json.loads(run(server, "get", "events", "-o", "json"))["items"]
                              if e["reason"] == "Simulated"], 30, "a Simulated event")[0]
    assert event["involvedObject"]["name"] == "sim"
    assert "not in Kubelite's image catalog" in event["message"]


@needs_root
def test_nothing_outlives_kubelite_and_a_crash_is_cleaned_up_at_the_next_start(start_server, tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("needs the Debian package redis-server")
    server = start_server("--data-dir", tmp_path)
    run(server, "run", "redis", "--image=redis:7")
    wait_for(lambda: (s := pod(server, "redis")["status"].get("containerStatuses")) and "running" in s[0]["state"], 30,
             "redis to run")
    assert len(runtime_processes(tmp_path)) == 2
    server.process.send_signal(signal.SIGKILL)  # a crash: kubelite cleans nothing up itself
    server.process.wait(timeout=10)

    again = start_server("--data-dir", tmp_path)
    restarted = wait_for(lambda: (s := pod(again, "redis")["status"].get("containerStatuses")) and s[0]["restartCount"] == 1
                         and "running" in s[0]["state"] and s, 30, "redis to run again")
    assert restarted[0]["ready"] is True
    assert len(runtime_processes(tmp_path)) == 2, "only the new sandbox (unshare and its sleeping PID 1) carries the marker"
    assert again.stop() == 0
    assert runtime_processes(tmp_path) == [], "processes outlived kubelite's shutdown"


def test_an_image_catalog_that_does_not_parse_stops_startup_with_the_reason(tmp_path):
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text("images:\n- image: tool\n  colour: red\n")
    result = subprocess.run([kubelite_binary(), "serve", "--in-memory", "--port", "0", "--dns-port=-1",
                             "--image-catalog", str(catalog)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 64
    assert f"--image-catalog: image catalog {catalog}: images[0]: unknown field \"colour\"" in result.stderr
