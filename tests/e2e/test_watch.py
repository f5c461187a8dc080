"""Watch, end to end: `kubectl get -w`, `curl -N`, the official Python client's watch, resuming from the last
resourceVersion across disconnects while several writers race, selector transitions, the initial-events
bookmark client-go informers wait for, 410 for an expired resourceVersion and periodic bookmarks."""

import json
import os
import subprocess
import threading
import time

import pytest
import requests
from kubernetes import watch
from kubernetes.client.rest import ApiException

from support import OutputReader, create_namespace, ROOT_CA_CONFIGMAP, wait_for


def config_map(name, labels=None, data=None):
    metadata = {"name": name}
    if labels:
        metadata["labels"] = labels
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata, "data": data or {"k": "v"}}


def list_revision(server, ns):
    response = server.raw("GET", f"/api/v1/namespaces/{ns}/configmaps")
    assert response.status_code == 200, response.text
    return response.json()["metadata"]["resourceVersion"]


def create(server, ns, body):
    response = server.raw("POST", f"/api/v1/namespaces/{ns}/configmaps", body)
    assert response.status_code == 201, response.text
    return response.json()


def merge_patch(server, ns, name, patch):
    response = server.raw("PATCH", f"/api/v1/namespaces/{ns}/configmaps/{name}", json.dumps(patch),
                          headers={"Content-Type": "application/merge-patch+json"})
    assert response.status_code == 200, response.text
    return response.json()


def delete(server, ns, name):
    response = server.raw("DELETE", f"/api/v1/namespaces/{ns}/configmaps/{name}")
    assert response.status_code == 200, response.text


class EventStream:
    """One watch request read line by line; every read is bounded by the read timeout, so a stalled stream
    fails the test instead of hanging it."""

    def __init__(self, server, path, params=None, headers=None, read_timeout=10):
        self.response = requests.get(server.url + path, params=params, headers=headers, stream=True,
                                     timeout=(5, read_timeout), **server.tls)
        assert self.response.status_code == 200, self.response.text
        assert self.response.headers.get("Transfer-Encoding") == "chunked"
        self.read_timeout = read_timeout
        self.lines = (line for line in self.response.iter_lines() if line)

    def next(self, what="a watch event"):
        """The next event; None when the stream ended."""
        try:
            return json.loads(next(self.lines))
        except StopIteration:
            return None
        except requests.exceptions.ConnectionError as error:
            raise AssertionError(f"no {what} within {self.read_timeout}s: {error!r}") from None

    def rest(self):
        """Events until the stream ends."""
        events = []
        while (event := self.next("end of the stream")) is not None:
            events.append(event)
        return events

    def close(self):
        self.response.close()


def summary(event):
    return event["type"], event["object"]["metadata"].get("name"), event["object"]["metadata"]["resourceVersion"]


def test_kubectl_get_watch_prints_rows_as_objects_change(server, kubectl_cache, ns):
    watcher = subprocess.Popen(
        ["kubectl", f"--cache-dir={kubectl_cache}", f"--namespace={ns}", "get", "configmaps", "-w",
         "--output-watch-events", "--request-timeout=60s"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=dict(os.environ, KUBECONFIG=str(server.kubeconfig)))
    try:
        output = OutputReader(watcher)
        # kubectl lists, then watches from the list's resourceVersion: whether a change lands before the
        # list, between list and watch, or during the watch, it is printed once.
        create(server, ns, config_map("watched", data={"a": "1"}))
        added = output.wait_for_line(lambda line: line.split()[:2] == ["ADDED", "watched"], 15,
                                     "kubectl to print the ADDED row")
        assert added.split()[2] == "1", added  # DATA column
        merge_patch(server, ns, "watched", {"data": {"b": "2"}})
        modified = output.wait_for_line(lambda line: line.split()[:2] == ["MODIFIED", "watched"], 15,
                                        "kubectl to print the MODIFIED row")
        assert modified.split()[2] == "2", modified
        delete(server, ns, "watched")
        output.wait_for_line(lambda line: line.split()[:2] == ["DELETED", "watched"], 15,
                             "kubectl to print the DELETED row")
        rows = [line.split()[0] for line in output.poll() if line.strip() and ROOT_CA_CONFIGMAP not in line.split()]
        assert rows == ["EVENT", "ADDED", "MODIFIED", "DELETED"], output.lines
    finally:
        watcher.terminate()
        watcher.wait(timeout=10)


def test_curl_streams_events_as_they_happen(server, ns):
    revision = list_revision(server, ns)
    curl = subprocess.Popen(
        ["curl", "-sN", "--max-time", "60", *server.curl_args(), f"{server.url}/api/v1/namespaces/{ns}/configmaps?watch=1&resourceVersion={revision}"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        output = OutputReader(curl)
        # Each change is seen before the next one is made: events are flushed, not buffered.
        created = create(server, ns, config_map("curled"))
        line = output.wait_for_line(lambda line: '"ADDED"' in line, 10, "curl to print the ADDED event")
        assert summary(json.loads(line)) == ("ADDED", "curled", created["metadata"]["resourceVersion"])
        delete(server, ns, "curled")
        line = output.wait_for_line(lambda line: '"DELETED"' in line, 10, "curl to print the DELETED event")
        assert json.loads(line)["object"]["metadata"]["name"] == "curled"
    finally:
        curl.terminate()
        curl.wait(timeout=10)


def test_python_client_watch_receives_added_modified_deleted_in_order(server, clients, ns):
    revision = clients.core.list_namespaced_config_map(ns).metadata.resource_version
    received, failures = [], []
    stream = watch.Watch()

    def consume():
        try:
            for event in stream.stream(clients.core.list_namespaced_config_map, ns, resource_version=revision,
                                       timeout_seconds=30):
                received.append((event["type"], event["object"].metadata.name, event["object"].metadata.resource_version))
                if len(received) == 3:
                    stream.stop()
        except Exception as error:
            failures.append(error)

    consumer = threading.Thread(target=consume, daemon=True)
    consumer.start()
    created = create(server, ns, config_map("py", data={"a": "1"}))
    modified = merge_patch(server, ns, "py", {"data": {"a": "2"}})
    delete(server, ns, "py")
    consumer.join(timeout=30)
    assert not consumer.is_alive(), f"the watch did not deliver three events: {received}"
    assert not failures, failures
    assert [(t, n) for t, n, _ in received] == [("ADDED", "py"), ("MODIFIED", "py"), ("DELETED", "py")]
    assert received[0][2] == created["metadata"]["resourceVersion"]
    assert received[1][2] == modified["metadata"]["resourceVersion"]
    assert int(received[2][2]) > int(received[1][2])


def test_a_watcher_resuming_from_its_last_resource_version_sees_every_write_once_in_order(server, ns):
    """Writers race; the watcher hangs up every few events and resumes from the last resourceVersion it saw."""
    start = list_revision(server, ns)
    writers, writes_per_writer, names_per_writer, events_per_connection = 3, 30, 3, 7
    record, record_lock, failures = [], threading.Lock(), []

    def write(w):
        session = server.session()
        exists = set()
        try:
            for i in range(writes_per_writer):
                name = f"w{w}-{i % names_per_writer}"
                base = f"{server.url}/api/v1/namespaces/{ns}/configmaps"
                if name not in exists:
                    response = session.post(base, json=config_map(name, data={"i": str(i)}), timeout=30)
                    kind, expected = "ADDED", 201
                elif i % 4 == 0:
                    response = session.delete(f"{base}/{name}", timeout=30)
                    kind, expected = "DELETED", 200
                else:
                    response = session.put(f"{base}/{name}", json=config_map(name, data={"i": str(i)}), timeout=30)
                    kind, expected = "MODIFIED", 200
                assert response.status_code == expected, response.text
                # A DELETE answers a Status, so the deletion's resourceVersion is only known from the watch.
                version = None if kind == "DELETED" else int(response.json()["metadata"]["resourceVersion"])
                with record_lock:
                    record.append((name, kind, version))
                if kind == "DELETED":
                    exists.discard(name)
                else:
                    exists.add(name)
        except Exception as error:
            failures.append(error)

    threads = [threading.Thread(target=write, args=(w,), daemon=True) for w in range(writers)]
    for thread in threads:
        thread.start()

    seen, connections, last = [], 0, start
    expected_total = writers * writes_per_writer
    deadline = time.monotonic() + 60
    while len(seen) < expected_total:
        assert time.monotonic() < deadline, f"saw {len(seen)} of {expected_total} events"
        assert not failures, failures
        connections += 1
        response = requests.get(f"{server.url}/api/v1/namespaces/{ns}/configmaps",
                                params={"watch": "1", "resourceVersion": last}, stream=True, timeout=(5, 10), **server.tls)
        assert response.status_code == 200, response.text
        try:
            taken = 0
            for line in response.iter_lines():
                if not line:
                    continue
                event = json.loads(line)
                assert event["type"] in ("ADDED", "MODIFIED", "DELETED"), event
                seen.append((event["object"]["metadata"]["name"], event["type"],
                             int(event["object"]["metadata"]["resourceVersion"])))
                last = event["object"]["metadata"]["resourceVersion"]
                taken += 1
                if taken == events_per_connection or len(seen) == expected_total:
                    break
        except requests.exceptions.ConnectionError as error:  # read timeout: writers are slower than the watcher
            if len(seen) < expected_total and all(not t.is_alive() for t in threads):
                raise AssertionError(f"the watch went quiet after {len(seen)} of {expected_total} events") from error
        finally:
            response.close()
    for thread in threads:
        thread.join(timeout=30)
    assert not failures, failures
    assert connections > expected_total // events_per_connection - 1

    versions = [version for _, _, version in seen]
    assert versions == sorted(versions) and len(set(versions)) == len(versions), "events repeated or out of order"
    assert versions[0] > int(start)
    # Exactly the acknowledged writes: per object, the same sequence of changes; non-deletions at the
    # acknowledged resourceVersion, deletions between the writes around them.
    by_name_seen, by_name_written = {}, {}
    for name, kind, version in seen:
        by_name_seen.setdefault(name, []).append((kind, version))
    for name, kind, version in record:
        by_name_written.setdefault(name, []).append((kind, version))
    assert sorted(by_name_seen) == sorted(by_name_written)
    for name, written in by_name_written.items():
        observed = by_name_seen[name]
        assert [k for k, _ in observed] == [k for k, _ in written], name
        for i, ((kind, seen_version), (_, written_version)) in enumerate(zip(observed, written)):
            if kind == "DELETED":
                assert seen_version > observed[i - 1][1], (name, observed)
                if i + 1 < len(written):
                    assert seen_version < written[i + 1][1], (name, observed, written)
            else:
                assert seen_version == written_version, (name, observed, written)


def test_label_selector_transitions_over_http(server, ns):
    stream = EventStream(server, f"/api/v1/namespaces/{ns}/configmaps",
                         params={"watch": "1", "resourceVersion": list_revision(server, ns), "labelSelector": "app=web"})
    try:
        create(server, ns, config_map("moving"))
        starts = merge_patch(server, ns, "moving", {"metadata": {"labels": {"app": "web"}}})
        changes = merge_patch(server, ns, "moving", {"data": {"k": "2"}})
        stops = merge_patch(server, ns, "moving", {"metadata": {"labels": {"app": "db"}}, "data": {"k": "3"}})
        delete(server, ns, "moving")
        sentinel = create(server, ns, config_map("sentinel", labels={"app": "web"}))
        events = [stream.next() for _ in range(4)]
    finally:
        stream.close()
    assert [summary(e) for e in events] == [
        ("ADDED", "moving", starts["metadata"]["resourceVersion"]),
        ("MODIFIED", "moving", changes["metadata"]["resourceVersion"]),
        ("DELETED", "moving", stops["metadata"]["resourceVersion"]),
        ("ADDED", "sentinel", sentinel["metadata"]["resourceVersion"]),
    ]
    # Leaving the selection is a DELETED of the last matching state, stamped with the revision of the change.
    assert events[2]["object"]["metadata"]["labels"] == {"app": "web"}
    assert events[2]["object"]["data"] == {"k": "2"}


def test_send_initial_events_ends_with_the_initial_events_end_bookmark(server, ns):
    for name in ("second", "first"):
        create(server, ns, config_map(name))
    revision = list_revision(server, ns)
    stream = EventStream(server, f"/api/v1/namespaces/{ns}/configmaps", params={
        "watch": "1", "sendInitialEvents": "true", "resourceVersionMatch": "NotOlderThan", "allowWatchBookmarks": "true"})
    try:
        # The namespace's kube-root-ca.crt is among the initial events, between the two (name order).
        events = [e for e in (stream.next() for _ in range(4)) if e["object"]["metadata"].get("name") != ROOT_CA_CONFIGMAP]
        later = create(server, ns, config_map("later"))
        after = stream.next("a change after the bookmark")
    finally:
        stream.close()
    assert [(e["type"], e["object"]["metadata"].get("name")) for e in events] == [
        ("ADDED", "first"), ("ADDED", "second"), ("BOOKMARK", None)]
    bookmark = events[2]["object"]
    assert bookmark["kind"] == "ConfigMap" and bookmark["apiVersion"] == "v1"
    assert bookmark["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}
    assert int(bookmark["metadata"]["resourceVersion"]) >= int(revision)
    assert summary(after) == ("ADDED", "later", later["metadata"]["resourceVersion"])


def test_expired_resource_version_is_410_in_the_stream(start_server):
    """A private server keeps only 5 changes, so a watch from before them has to relist."""
    cluster = start_server("--watch-history", "5")
    ns = "default"
    old = list_revision(cluster, ns)
    for i in range(8):
        create(cluster, ns, config_map(f"c{i}"))
    stream = EventStream(cluster, f"/api/v1/namespaces/{ns}/configmaps",
                         params={"watch": "1", "resourceVersion": old})
    try:
        events = stream.rest()
    finally:
        stream.close()
    assert len(events) == 1 and events[0]["type"] == "ERROR", events
    status = events[0]["object"]
    assert (status["kind"], status["code"], status["reason"]) == ("Status", 410, "Expired"), status
    assert status["message"].startswith(f"too old resource version: {old} ("), status

    # The official client turns it into an ApiException 410 (after its one retry), so callers relist.
    api_client = cluster.api_client()
    try:
        from kubernetes import client as k8s_client
        core = k8s_client.CoreV1Api(api_client)
        with pytest.raises(ApiException) as raised:
            for _ in watch.Watch().stream(core.list_namespaced_config_map, ns, resource_version=old, timeout_seconds=10):
                pass
        assert raised.value.status == 410
    finally:
        api_client.close()


def test_periodic_bookmarks_with_a_short_interval(start_server):
    cluster = start_server("--watch-bookmark-interval", "0.5")
    # A namespace of its own, settled (its kube-root-ca.crt published), so nothing else changes in it.
    ns = create_namespace(cluster, "bookmarks")
    stream = EventStream(cluster, f"/api/v1/namespaces/{ns}/configmaps",
                         params={"watch": "1", "resourceVersion": list_revision(cluster, ns), "allowWatchBookmarks": "true"})
    try:
        first = stream.next("a first bookmark")
        created = create(cluster, ns, config_map("b"))
        events = [stream.next("the change and the next bookmark") for _ in range(2)]
    finally:
        stream.close()
    assert first["type"] == "BOOKMARK", first
    assert [e["type"] for e in events] == ["ADDED", "BOOKMARK"], events
    assert events[1]["object"]["metadata"]["resourceVersion"] == created["metadata"]["resourceVersion"]
