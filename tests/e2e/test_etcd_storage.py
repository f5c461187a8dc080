"""The etcd backend (--etcd-servers): kubectl against Kubelite on a real etcd started here, objects
under upstream's keys, conflicts, restarts, two replicas sharing one etcd, and etcd going away and
coming back while Kubelite keeps running."""

import json
import socket
import threading

import pytest
import requests

from etcd_cluster import Etcd, kubectl_watch as watch, reports, require_etcd
from support import Kubectl, Server, wait_for


@pytest.fixture(scope="module")
def etcd():
    require_etcd()
    member = Etcd()
    try:
        member.start()
        yield member
    finally:
        member.remove()


@pytest.fixture
def on_etcd(etcd, tmp_path_factory, request):
    """start(prefix=None, data_dir=None, args=()) -> a kubelite on the module's etcd, under its own prefix
    unless given one (so tests do not see each other's objects); all are stopped at teardown."""
    started = []

    def start(prefix=None, data_dir=None, args=()):
        prefix = prefix or f"/e2e-{request.node.name[:30]}-{len(started)}"
        data_dir = data_dir or tmp_path_factory.mktemp("etcd-kubelite")
        server = Server(tmp_path_factory.mktemp("etcd-kubelite-run"),
                        ["--etcd-servers", etcd.url, "--etcd-prefix", prefix, "--data-dir", data_dir, *args]).start()
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


class WatchStream:
    """One raw HTTP watch, its decoded events collected on a thread so the test waits with deadlines."""

    def __init__(self, server, path, params):
        self.response = requests.get(server.url + path, params=params, stream=True, timeout=(5, 60), **server.tls)
        assert self.response.status_code == 200, self.response.text
        self.events = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        try:
            # chunk_size=None: lines as the chunks arrive (the default 512 bytes holds back a lone small event).
            for line in self.response.iter_lines(chunk_size=None):
                if line:
                    self.events.append(json.loads(line))
        except (requests.RequestException, ValueError, AttributeError):
            pass  # closed by `stop`

    def of(self, name):
        return [(e["type"], e["object"]["metadata"]["resourceVersion"]) for e in list(self.events)
                if e["type"] != "BOOKMARK" and e["object"]["metadata"]["name"] == name]

    def stop(self):
        # close() alone waits for the reading thread, blocked until the server ends the watch (its
        # minimum request timeout, a minute): shutting the socket down wakes it at once.
        try:
            self.response.raw._fp.fp.raw._sock.shutdown(socket.SHUT_RDWR)
        except (AttributeError, OSError):
            pass
        self.response.close()


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

    watcher = watch(server, tmp_path, "get", "configmaps", "-w", "--output-watch-events")
    try:
        wait_for(lambda: reports(watcher, "ADDED", "first"), 20, "the watch's initial list")
        kubectl("create", "configmap", "second", "--from-literal=b=2")
        wait_for(lambda: reports(watcher, "ADDED", "second"), 20, "the watch to report second")
        names = [item["metadata"]["name"] for item in kubectl.json("get", "configmaps")["items"]]
        assert {"first", "second"} <= set(names)
        kubectl("delete", "configmap", "second")
        wait_for(lambda: reports(watcher, "DELETED", "second"), 20, "the watch to report the deletion")
    finally:
        watcher.stop()
    assert etcd.get(f"{server.prefix}/configmaps/default/second") is None
    assert kubectl.run("get", "configmap", "second").returncode != 0


def test_watch_events_carry_etcd_revisions_in_order_then_a_bookmark(on_etcd, etcd):
    server = on_etcd(args=["--watch-bookmark-interval", "0.2"])
    path = "/api/v1/namespaces/default/configmaps"
    listed = server.raw("GET", path).json()["metadata"]["resourceVersion"]
    stream = WatchStream(server, path, {"watch": "1", "resourceVersion": listed, "allowWatchBookmarks": "true"})
    try:
        created = server.raw("POST", path, configmap("w", "1"))
        assert created.status_code == 201, created.text
        added = created.json()["metadata"]["resourceVersion"]
        assert etcd.get(f"{server.prefix}/configmaps/default/w")[1] == int(added)
        updated = server.raw("PUT", f"{path}/w", dict(created.json(), data={"v": "2"}))
        assert updated.status_code == 200, updated.text
        modified = updated.json()["metadata"]["resourceVersion"]
        assert etcd.get(f"{server.prefix}/configmaps/default/w")[1] == int(modified)
        assert server.raw("DELETE", f"{path}/w").status_code == 200
        assert etcd.get(f"{server.prefix}/configmaps/default/w") is None

        wait_for(lambda: len(stream.of("w")) == 3, 20, "the watch to report w's three changes")
        (t1, rv1), (t2, rv2), (t3, rv3) = stream.of("w")
        assert (t1, rv1, t2, rv2, t3) == ("ADDED", added, "MODIFIED", modified, "DELETED")
        assert int(added) < int(modified) < int(rv3), "events in etcd's revision order"
        revisions = [int(e["object"]["metadata"]["resourceVersion"]) for e in list(stream.events) if e["type"] != "BOOKMARK"]
        assert revisions == sorted(revisions) and len(set(revisions)) == len(revisions)
        wait_for(lambda: any(e["type"] == "BOOKMARK" and int(e["object"]["metadata"]["resourceVersion"]) >= int(rv3)
                             for e in list(stream.events)), 20, "a bookmark at or past the deletion's revision")
    finally:
        stream.stop()
    again = WatchStream(server, path, {"watch": "1", "resourceVersion": added})
    try:
        wait_for(lambda: [t for t, _ in again.of("w")] == ["MODIFIED", "DELETED"], 20,
                 "a watch from the creation's revision to replay the later changes")
        assert again.of("w") == [("MODIFIED", modified), ("DELETED", rv3)]
    finally:
        again.stop()


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
    watcher = watch(b, tmp_path, "get", "configmaps", "-w", "--output-watch-events")
    try:
        wait_for(lambda: reports(watcher, "ADDED", "kube-root-ca.crt"), 20, "B's watch to start")
        assert a.raw("POST", "/api/v1/namespaces/default/configmaps", configmap("from-a")).status_code == 201
        wait_for(lambda: reports(watcher, "ADDED", "from-a"), 20, "B's watch to report A's write")
    finally:
        watcher.stop()
    assert b.raw("GET", "/api/v1/namespaces/default/configmaps/from-a").status_code == 200


def test_etcd_down_fails_writes_and_consistent_reads_keeps_cached_reads_and_recovers(on_etcd, etcd):
    server = on_etcd()
    assert server.raw("POST", "/api/v1/namespaces/default/configmaps", configmap("before")).status_code == 201
    etcd.stop()
    try:
        wait_for(lambda: server.raw("GET", "/readyz").status_code == 500, 20, "/readyz to fail its etcd check")
        assert "[-]etcd failed" in server.raw("GET", "/readyz", params={"verbose": "1"}).text
        failed = server.raw("POST", "/api/v1/namespaces/default/configmaps", configmap("during"))
        # kube-apiserver's answer once its etcd client gave up waiting for a member.
        assert failed.status_code == 504, failed.text
        assert failed.json()["kind"] == "Status"
        assert failed.json()["reason"] == "Timeout"
        assert failed.json()["message"] == "Timeout: request did not complete within requested timeout - context deadline exceeded"
        # A consistent read needs etcd's current revision: the same 504 (upstream reads etcd for it).
        for path in ("/api/v1/namespaces/default/configmaps/before", "/api/v1/namespaces/default/configmaps"):
            read = server.raw("GET", path)
            assert read.status_code == 504, read.text
            assert read.json()["reason"] == "Timeout"
        # resourceVersion=0 accepts any state: the watch cache answers.
        read = server.raw("GET", "/api/v1/namespaces/default/configmaps/before", params={"resourceVersion": "0"})
        assert read.status_code == 200
        assert server.raw("GET", "/api/v1/namespaces/default/configmaps", params={"resourceVersion": "0"}).status_code == 200
    finally:
        etcd.start()
    wait_for(lambda: server.raw("GET", "/readyz").status_code == 200, 30, "/readyz to pass again")
    wait_for(lambda: server.raw("POST", "/api/v1/namespaces/default/configmaps", configmap("after")).status_code == 201,
             30, "writes to work again")
    assert server.raw("GET", "/api/v1/namespaces/default/configmaps/after").status_code == 200
    assert server.raw("GET", "/api/v1/namespaces/default/configmaps/during").status_code == 404
