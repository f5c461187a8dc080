"""The durable store (--data-dir): acknowledged writes survive SIGKILL, state survives restarts, and a
store that cannot work stops startup or answers writes with a 5xx while reads go on."""

import json
import os
import random
import subprocess
import threading
import time
from contextlib import contextmanager

import pytest
import requests

from support import Server, kubelite_binary, wait_for

CYCLES = 20
WRITERS = 6


def configmap(name, value):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"v": value}}


class Writer(threading.Thread):
    """Creates and updates its own ConfigMaps until the server dies, recording what was acknowledged
    (the full answer) and what was in flight when it died (which may or may not have been stored)."""

    def __init__(self, server, ident, acked, cycle):
        super().__init__(daemon=True)
        self.url, self.number, self.acked, self.cycle = server.url, ident, acked, cycle
        self.in_flight = {}
        self.session = server.session()

    def run(self):
        names = [f"w{self.number}-{i}" for i in range(5)]
        step = 0
        while True:
            name = random.choice(names)
            value = f"c{self.cycle}-s{step}"
            step += 1
            previous = self.acked.get(name)
            body = configmap(name, value)
            self.in_flight[name] = value
            try:
                if previous is None:
                    r = self.session.post(f"{self.url}/api/v1/namespaces/default/configmaps", json=body, timeout=10)
                else:
                    body["metadata"]["resourceVersion"] = previous["metadata"]["resourceVersion"]
                    r = self.session.put(f"{self.url}/api/v1/namespaces/default/configmaps/{name}", json=body, timeout=10)
            except requests.RequestException:
                return  # the server died with this write in flight
            if r.status_code in (200, 201):
                self.acked[name] = r.json()
                del self.in_flight[name]
            elif r.status_code == 409:
                # An earlier write, in flight when the server died, was stored after all: adopt it.
                current = self.session.get(f"{self.url}/api/v1/namespaces/default/configmaps/{name}", timeout=10)
                if current.status_code == 200:
                    self.acked[name] = current.json()
                del self.in_flight[name]
            else:
                raise AssertionError(f"unexpected answer {r.status_code}: {r.text}")


def test_acknowledged_writes_survive_sigkill(tmp_path):
    data_dir = tmp_path / "data"
    acked = [{} for _ in range(WRITERS)]
    newest_seen = 0
    for cycle in range(CYCLES):
        (tmp_path / f"run{cycle}").mkdir()
        server = Server(tmp_path / f"run{cycle}", ["--data-dir", data_dir]).start()
        listing = server.raw("GET", "/api/v1/namespaces/default/configmaps")
        assert listing.status_code == 200
        list_revision = int(listing.json()["metadata"]["resourceVersion"])
        assert list_revision >= newest_seen, f"cycle {cycle}: resourceVersion went back from {newest_seen} to {list_revision}"
        stored = {item["metadata"]["name"]: item for item in listing.json()["items"]}
        for writer_acked in acked:
            for name, answer in writer_acked.items():
                assert name in stored, f"cycle {cycle}: acknowledged {name} is gone"
                got = server.raw("GET", f"/api/v1/namespaces/default/configmaps/{name}").json()
                if got["metadata"]["resourceVersion"] == answer["metadata"]["resourceVersion"]:
                    assert got == answer, f"cycle {cycle}: {name} differs from what was acknowledged"
                else:
                    # Only a write in flight at the kill (never acknowledged) may have replaced it.
                    assert int(got["metadata"]["resourceVersion"]) > int(answer["metadata"]["resourceVersion"])
                    assert got["metadata"]["uid"] == answer["metadata"]["uid"]
                    writer_acked[name] = got
        writers = [Writer(server, i, acked[i], cycle) for i in range(WRITERS)]
        for w in writers:
            w.start()
        time.sleep(random.uniform(0.3, 1.5))
        server.process.kill()
        server.process.wait(timeout=10)
        server.log_file.close()
        for w in writers:
            w.join(timeout=15)
            assert not w.is_alive()
        for writer_acked in acked:
            for answer in writer_acked.values():
                newest_seen = max(newest_seen, int(answer["metadata"]["resourceVersion"]))
    assert sum(len(a) for a in acked) == WRITERS * 5


def test_restart_keeps_objects_and_a_watch_resumes(tmp_path):
    data_dir = tmp_path / "data"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = Server(tmp_path / "a", ["--data-dir", data_dir]).start()
    created = first.raw("POST", "/api/v1/namespaces/default/configmaps", configmap("kept", "1")).json()
    updated = first.raw("PUT", "/api/v1/namespaces/default/configmaps/kept",
                        {**configmap("kept", "2"), "metadata": {"name": "kept", "resourceVersion": created["metadata"]["resourceVersion"]}}).json()
    assert first.stop() == 0
    second = Server(tmp_path / "b", ["--data-dir", data_dir]).start()
    try:
        assert second.raw("GET", "/api/v1/namespaces/default/configmaps/kept").json() == updated
        watch = second.raw("GET", "/api/v1/namespaces/default/configmaps",
                           params={"watch": "true", "resourceVersion": created["metadata"]["resourceVersion"], "timeoutSeconds": "1"})
        assert watch.status_code == 200
        assert '"type":"MODIFIED"' in watch.text and '"v":"2"' in watch.text, watch.text
        newer = second.raw("POST", "/api/v1/namespaces/default/configmaps", configmap("newer", "1")).json()
        assert int(newer["metadata"]["resourceVersion"]) > int(updated["metadata"]["resourceVersion"])
    finally:
        second.stop()


def start_failure(tmp_path, data_dir):
    """Runs `kubelite serve --data-dir` expecting it to refuse to start; returns its output."""
    result = subprocess.run([kubelite_binary(), "serve", "--port", "0", "--dns-port=-1", "--data-dir", str(data_dir)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0, f"kubelite started on {data_dir}:\n{result.stderr}"
    return result.stdout + result.stderr


def test_corrupt_database_stops_startup(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "kubelite.db").write_bytes(os.urandom(16384))
    assert "is corrupt or not a kubelite database" in start_failure(tmp_path, data_dir)


@contextmanager
def mounted_tmpfs(path, options):
    path.mkdir(parents=True, exist_ok=True)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True).returncode != 0:
        pytest.skip("mounting a tmpfs needs root")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def test_empty_database_file_stops_startup(tmp_path):
    """A truncated kubelite.db must not become a new, empty cluster: the old one would be lost."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "kubelite.db").write_bytes(b"")
    output = start_failure(tmp_path, data_dir)
    assert "is empty (0 bytes)" in output and "refusing to start an empty cluster" in output, output
    assert (data_dir / "kubelite.db").stat().st_size == 0, "the file is left as it was found"


def test_new_data_directory_and_database_are_private(tmp_path):
    data_dir = tmp_path / "new" / "data"
    (tmp_path / "run").mkdir()
    server = Server(tmp_path / "run", ["--data-dir", data_dir]).start()
    try:
        assert server.raw("POST", "/api/v1/namespaces/default/secrets",
                          {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
                           "stringData": {"password": "hunter2"}}).status_code == 201
        assert data_dir.stat().st_mode & 0o777 == 0o700
        for name in ["kubelite.db", "kubelite.db-wal"]:
            assert (data_dir / name).stat().st_mode & 0o777 == 0o600, name
    finally:
        server.stop()


def watch_from(server, revision):
    """The events of a watch of default's ConfigMap `big` from `revision`, ended by the server after 1 s (only
    `big`: kube-root-ca.crt is published whenever the cluster's CA is ready, which under load can be mid-test)."""
    r = requests.get(f"{server.url}/api/v1/namespaces/default/configmaps",
                     params={"watch": "1", "resourceVersion": revision, "timeoutSeconds": "1",
                             "fieldSelector": "metadata.name=big"}, timeout=10, **server.tls)
    return [json.loads(line) for line in r.text.splitlines() if line]


def test_history_bytes_bound_memory_disk_and_resumable_revisions(tmp_path):
    """Patches of a large object (issue 12: 1,500 of a 1 MB ConfigMap held 1.5 GB of history): the
    history keeps --watch-history-bytes of them, the database is compacted to it as it grows, and a
    watch from a revision dropped for bytes gets 410 Expired, also after a restart."""
    data_dir = tmp_path / "data"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    bound = 1_000_000
    server = Server(tmp_path / "a", ["--data-dir", data_dir, "--watch-history-bytes", str(bound)]).start()
    try:
        first = server.raw("POST", "/api/v1/namespaces/default/configmaps", configmap("big", "x" * 200_000)).json()
        start = first["metadata"]["resourceVersion"]
        for i in range(40):
            r = requests.patch(f"{server.url}/api/v1/namespaces/default/configmaps/big", json={"data": {"n": str(i)}},
                               headers={"Content-Type": "application/merge-patch+json"}, timeout=10, **server.tls)
            assert r.status_code == 200, r.text
        newest = r.json()["metadata"]["resourceVersion"]
        database = sum(f.stat().st_size for f in data_dir.iterdir())
        assert database < 2 * bound + 4 * 200_000, f"8 MB written, the database holds {database} bytes"
        expired = watch_from(server, start)
        assert [e["type"] for e in expired] == ["ERROR"], expired
        assert (expired[0]["object"]["code"], expired[0]["object"]["reason"]) == (410, "Expired"), expired
        previous = str(int(newest) - 1)
        assert [e["object"]["metadata"]["resourceVersion"] for e in watch_from(server, previous)] == [newest]
    finally:
        assert server.stop() == 0
    server = Server(tmp_path / "b", ["--data-dir", data_dir, "--watch-history-bytes", str(bound)]).start()
    try:
        assert [e["type"] for e in watch_from(server, start)] == ["ERROR"]
        assert [e["object"]["metadata"]["resourceVersion"] for e in watch_from(server, previous)] == [newest]
    finally:
        server.stop()


def test_read_only_data_directory_stops_startup(tmp_path):
    with mounted_tmpfs(tmp_path / "ro", "size=1m,ro") as data_dir:
        output = start_failure(tmp_path, data_dir)
        assert "not writable" in output or "cannot open" in output, output


def test_full_disk_answers_500_keeps_reads_and_recovers(tmp_path):
    with mounted_tmpfs(tmp_path / "small", "size=3m") as data_dir:
        (tmp_path / "run").mkdir()
        server = Server(tmp_path / "run", ["--data-dir", data_dir]).start()
        try:
            kept = server.raw("POST", "/api/v1/namespaces/default/configmaps", configmap("kept", "x")).json()
            # The cluster's keys are made and written to pki/ on a thread of their own after start; a disk
            # full before they are written stops Kubelite (it cannot keep keys it could not save).
            wait_for(lambda: all((data_dir / "pki" / name).exists() for name in ("sa.key", "ca.crt", "ca.key")), 30,
                     "the cluster's keys written")
            filler = data_dir / "filler"
            subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=64k"], capture_output=True)
            failed = None
            for i in range(200):
                r = server.raw("POST", "/api/v1/namespaces/default/configmaps", configmap(f"big{i}", "z" * 100_000))
                if r.status_code >= 500:
                    failed = r
                    break
                assert r.status_code == 201, r.text
            assert failed is not None, "no write failed on a full disk"
            assert failed.status_code == 500 and failed.json()["reason"] == "InternalError", failed.text
            # Upstream's shape for a storage failure (apierrors.NewInternalError): the cause repeated.
            status = failed.json()
            assert status["kind"] == "Status" and status["status"] == "Failure" and status["code"] == 500
            assert status["message"].startswith("Internal error occurred: storage write failed: "), status
            assert status["details"]["causes"][0]["message"] == status["message"].removeprefix("Internal error occurred: ")
            # Nothing of the failed write was acknowledged or kept.
            assert server.raw("GET", f"/api/v1/namespaces/default/configmaps/big{i}").status_code == 404
            assert server.raw("GET", "/api/v1/namespaces/default/configmaps/kept").json() == kept
            filler.unlink()
            wait_for(lambda: server.raw("POST", "/api/v1/namespaces/default/configmaps",
                                        configmap("after", "y")).status_code == 201, 10, "a write to succeed once space returns")
        finally:
            server.stop()
