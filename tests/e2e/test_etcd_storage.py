"""The etcd backend (--etcd-servers): kubectl against Kubelite on a real etcd started here, objects
under upstream's keys, conflicts, restarts, two replicas sharing one etcd, and etcd going away and
coming back while Kubelite keeps running."""

import base64
import json
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import pytest
import requests

from support import Kubectl, Server, wait_for

ETCD = shutil.which("etcd") or "/usr/bin/etcd"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Etcd:
    """A single-member etcd on free ports with a temporary data dir; `stop` and `start` keep both, so
    a restarted member has its data back; `remove` ends it and deletes the data dir."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="kubelite-e2e-etcd-"))
        self.client_port, self.peer_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.client_port}"
        self.process = None

    def start(self):
        peer = f"http://127.0.0.1:{self.peer_port}"
        self.log = open(self.dir / "etcd.log", "ab")
        self.process = subprocess.Popen(
            [ETCD, "--name", "e2e", "--data-dir", str(self.dir / "data"),
             "--listen-client-urls", self.url, "--advertise-client-urls", self.url,
             "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", f"e2e={peer}"],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT)
        wait_for(lambda: self.process.poll() is None and self.call("/v3/maintenance/status", {}), 30, "etcd to answer")
        return self

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        if self.process:
            self.log.close()

    def remove(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def call(self, path, body):
        request = urllib.request.Request(self.url + path, data=json.dumps(body).encode(), method="POST")
        with urllib.request.urlopen(request, timeout=5) as response:
            return json.loads(response.read())

    def get(self, key):
        answer = self.call("/v3/kv/range", {"key": base64.b64encode(key.encode()).decode()})
        kvs = answer.get("kvs", [])
        return (json.loads(base64.b64decode(kvs[0]["value"])), int(kvs[0]["mod_revision"])) if kvs else None


@pytest.fixture(scope="module")
def etcd():
    if not Path(ETCD).exists():
        pytest.fail(f"{ETCD} is missing: install Debian's etcd-server (scripts/test does)")
    member = Etcd().start()
    yield member
    member.remove()


@pytest.fixture
def on_etcd(etcd, tmp_path_factory, request):
    """start(prefix=None, data_dir=None) -> a kubelite on the module's etcd, under its own prefix unless
    given one (so tests do not see each other's objects); all are stopped at teardown."""
    started = []

    def start(prefix=None, data_dir=None):
        prefix = prefix or f"/e2e-{request.node.name[:30]}-{len(started)}"
        data_dir = data_dir or tmp_path_factory.mktemp("etcd-kubelite")
        server = Server(tmp_path_factory.mktemp("etcd-kubelite-run"),
                        ["--etcd-servers", etcd.url, "--etcd-prefix", prefix, "--data-dir", data_dir]).start()
        server.prefix, server.data_dir = prefix, data_dir
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def kubectl_for(server, tmp_path, namespace="default"):
    return Kubectl(server, tmp_path / "kubectl-cache", namespace=namespace)


def configmap(name, value="1"):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"v": value}}


class LineReader:
    """Collects a child's stdout lines on a thread, so the test can wait for one with a deadline."""

    def __init__(self, process):
        self.process, self.lines = process, []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.append(line.strip())

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


def watch(server, tmp_path, *args):
    command = ["kubectl", f"--cache-dir={tmp_path / 'kubectl-cache'}", "--namespace=default", *args]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                               env={"KUBECONFIG": str(server.kubeconfig), "PATH": "/usr/local/bin:/usr/bin:/bin"})
    return LineReader(process)


def test_kubectl_create_get_list_watch_delete_under_upstream_keys(on_etcd, etcd, tmp_path):
    server = on_etcd()
    kubectl = kubectl_for(server, tmp_path)
    kubectl("create", "configmap", "first", "--from-literal=a=1")
    created = kubectl.json("get", "configmap", "first")
    assert created["data"] == {"a": "1"}
    stored, revision = etcd.get(f"{server.prefix}/configmaps/default/first")
    assert stored["data"] == {"a": "1"}
    assert "resourceVersion" not in stored["metadata"], "etcd holds the object without its resourceVersion"
    assert created["metadata"]["resourceVersion"] == str(revision), "resourceVersion is etcd's mod_revision"
    assert etcd.get(f"{server.prefix}/namespaces/default") is not None
    assert etcd.get(f"{server.prefix}/services/specs/default/kubernetes") is not None

    watcher = watch(server, tmp_path, "get", "configmaps", "-w", "--output-watch-events", "-o", "name")
    try:
        wait_for(lambda: any("configmap/first" in line for line in watcher.lines), 20, "the watch's initial list")
        kubectl("create", "configmap", "second", "--from-literal=b=2")
        wait_for(lambda: any(line.startswith("ADDED") and "configmap/second" in line for line in watcher.lines),
                 20, "the watch to report second")
        names = [item["metadata"]["name"] for item in kubectl.json("get", "configmaps")["items"]]
        assert {"first", "second"} <= set(names)
        kubectl("delete", "configmap", "second")
        wait_for(lambda: any(line.startswith("DELETED") and "configmap/second" in line for line in watcher.lines),
                 20, "the watch to report the deletion")
    finally:
        watcher.stop()
    assert etcd.get(f"{server.prefix}/configmaps/default/second") is None
    assert kubectl.run("get", "configmap", "second").returncode != 0


def test_statefulset_reaches_its_replicas(on_etcd, tmp_path):
    server = on_etcd()
    kubectl = kubectl_for(server, tmp_path)
    kubectl("apply", "-f", "-", input=json.dumps({
        "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "web"},
        "spec": {"replicas": 3, "serviceName": "web", "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": [{"name": "web", "image": "registry.k8s.io/pause:3.9"}]}}}}))
    wait_for(lambda: kubectl.json("get", "statefulset", "web").get("status", {}).get("readyReplicas") == 3, 60,
             "the StatefulSet to have 3 ready replicas")
    pods = sorted(p["metadata"]["name"] for p in kubectl.json("get", "pods", "-l", "app=web")["items"])
    assert pods == ["web-0", "web-1", "web-2"]


def test_stale_update_is_a_conflict(on_etcd):
    server = on_etcd()
    created = server.raw("POST", "/api/v1/namespaces/default/configmaps", configmap("cas"))
    assert created.status_code == 201
    stale = created.json()
    fresh = dict(stale, data={"v": "2"})
    assert server.raw("PUT", "/api/v1/namespaces/default/configmaps/cas", fresh).status_code == 200
    answer = server.raw("PUT", "/api/v1/namespaces/default/configmaps/cas", dict(stale, data={"v": "3"}))
    assert answer.status_code == 409, answer.text
    assert answer.json()["reason"] == "Conflict"
    assert server.raw("GET", "/api/v1/namespaces/default/configmaps/cas").json()["data"] == {"v": "2"}


def test_restart_finds_the_objects_in_etcd(on_etcd, tmp_path):
    server = on_etcd()
    created = server.raw("POST", "/api/v1/namespaces/default/configmaps", configmap("kept")).json()
    server.stop()
    again = on_etcd(prefix=server.prefix, data_dir=server.data_dir)
    got = again.raw("GET", "/api/v1/namespaces/default/configmaps/kept")
    assert got.status_code == 200
    assert got.json()["metadata"]["uid"] == created["metadata"]["uid"]
    assert got.json()["metadata"]["resourceVersion"] == created["metadata"]["resourceVersion"]


def test_a_write_through_one_replica_is_seen_by_a_watch_on_another(on_etcd, tmp_path):
    a = on_etcd()
    b = on_etcd(prefix=a.prefix)
    watcher = watch(b, tmp_path, "get", "configmaps", "-w", "--output-watch-events", "-o", "name")
    try:
        wait_for(lambda: any("kube-root-ca.crt" in line for line in watcher.lines), 20, "B's watch to start")
        assert a.raw("POST", "/api/v1/namespaces/default/configmaps", configmap("from-a")).status_code == 201
        wait_for(lambda: any(line.startswith("ADDED") and "configmap/from-a" in line for line in watcher.lines),
                 20, "B's watch to report A's write")
    finally:
        watcher.stop()
    assert b.raw("GET", "/api/v1/namespaces/default/configmaps/from-a").status_code == 200


def test_etcd_down_fails_writes_keeps_reads_and_recovers(on_etcd, etcd):
    server = on_etcd()
    assert server.raw("POST", "/api/v1/namespaces/default/configmaps", configmap("before")).status_code == 201
    etcd.stop()
    try:
        wait_for(lambda: server.raw("GET", "/readyz").status_code == 500, 20, "/readyz to fail its etcd check")
        assert "[-]etcd failed" in server.raw("GET", "/readyz", params={"verbose": "1"}).text
        failed = server.raw("POST", "/api/v1/namespaces/default/configmaps", configmap("during"))
        assert failed.status_code >= 500, failed.text
        assert failed.json()["kind"] == "Status"
        read = server.raw("GET", "/api/v1/namespaces/default/configmaps/before")
        assert read.status_code == 200
        assert server.raw("GET", "/api/v1/namespaces/default/configmaps").status_code == 200
    finally:
        etcd.start()
    wait_for(lambda: server.raw("GET", "/readyz").status_code == 200, 30, "/readyz to pass again")
    wait_for(lambda: server.raw("POST", "/api/v1/namespaces/default/configmaps", configmap("after")).status_code == 201,
             30, "writes to work again")
    assert server.raw("GET", "/api/v1/namespaces/default/configmaps/after").status_code == 200
    assert server.raw("GET", "/api/v1/namespaces/default/configmaps/during").status_code == 404
