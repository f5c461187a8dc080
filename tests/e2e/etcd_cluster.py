"""Real etcd for the end-to-end tests: one member (`Etcd`) or a three-member cluster (`EtcdCluster`) on
free ports with temporary data dirs, started by the tests and stopped after; and the kubectl watch helpers
the etcd tests share."""

import base64
import json
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import urllib.request
from pathlib import Path

import pytest

from support import wait_for

ETCD = shutil.which("etcd") or "/usr/bin/etcd"
MEMBER_DEADLINE = 30.0


def require_etcd():
    if not Path(ETCD).exists():
        pytest.fail(f"{ETCD} is missing: install Debian's etcd-server (scripts/test does)")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class EtcdMember:
    """One etcd member of the cluster `initial_cluster` names; `stop` and `start` keep its data dir, so a
    restarted member rejoins with its data; `kill` is SIGKILL, as a crash. With `tls` (the paths of `ca`,
    `cert` and `key`) it serves https only and requires client certificates signed by that CA; `client`
    (cert, key) is then what this helper presents."""

    def __init__(self, name, directory, initial_cluster=None, tls=None, client=None):
        self.name, self.dir = name, Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.client_port, self.peer_port = free_port(), free_port()
        self.tls, self.context = tls, None
        if tls:
            import ssl
            self.context = ssl.create_default_context(cafile=tls["ca"])
            self.context.load_cert_chain(*client)
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.client_port}"
        self.peer_url = f"http://127.0.0.1:{self.peer_port}"
        self.initial_cluster = initial_cluster or f"{name}={self.peer_url}"
        # The cluster's members share one token (a member with another would found a cluster of its own).
        self.token = f"kubelite-e2e-{self.dir.name}"
        self.process = None
        self.log = None

    def launch(self):
        """Starts the process without waiting: the members of a cluster only answer once a quorum runs."""
        self.log = open(self.dir / "etcd.log", "ab")
        self.process = subprocess.Popen(
            [ETCD, "--name", self.name, "--data-dir", str(self.dir / "data"),
             "--listen-client-urls", self.url, "--advertise-client-urls", self.url,
             "--listen-peer-urls", self.peer_url, "--initial-advertise-peer-urls", self.peer_url,
             "--initial-cluster", self.initial_cluster, "--initial-cluster-token", self.token,
             *(["--cert-file", self.tls["cert"], "--key-file", self.tls["key"], "--trusted-ca-file", self.tls["ca"],
                "--client-cert-auth"] if self.tls else [])],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_healthy(self):
        def healthy():
            if self.process.poll() is not None:
                raise AssertionError(f"etcd {self.name} exited with {self.process.returncode}")
            with urllib.request.urlopen(self.url + "/health", timeout=2, context=self.context) as response:
                return json.loads(response.read()).get("health") == "true"
        wait_for(healthy, MEMBER_DEADLINE, f"etcd {self.name} to report itself healthy")

    def start(self):
        self.launch()
        self.wait_healthy()
        return self

    def is_running(self):
        return self.process is not None and self.process.poll() is None

    def stop(self):
        if self.is_running():
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:  # never leave a member behind
                self.process.kill()
                self.process.wait(timeout=20)
        if self.log:
            self.log.close()
            self.log = None

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=20)
        self.log.close()
        self.log = None

    def call(self, path, body):
        request = urllib.request.Request(self.url + path, data=json.dumps(body).encode(), method="POST")
        with urllib.request.urlopen(request, timeout=5, context=self.context) as response:
            return json.loads(response.read())

    def get(self, key):
        answer = self.call("/v3/kv/range", {"key": base64.b64encode(key.encode()).decode()})
        kvs = answer.get("kvs", [])
        return (json.loads(base64.b64decode(kvs[0]["value"])), int(kvs[0]["mod_revision"])) if kvs else None

    def keys(self, prefix):
        """The keys under `prefix` (a linearizable range read: the cluster's committed state)."""
        end = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        answer = self.call("/v3/kv/range", {"key": base64.b64encode(prefix.encode()).decode(),
                                            "range_end": base64.b64encode(end.encode()).decode(), "keys_only": True})
        return {base64.b64decode(kv["key"]).decode() for kv in answer.get("kvs", [])}

    def is_leader(self):
        status = self.call("/v3/maintenance/status", {})
        return status.get("leader") == status["header"]["member_id"]


class Etcd(EtcdMember):
    """A single-member etcd with a temporary data dir; `remove` ends it and deletes the data dir."""

    def __init__(self, tls=None, client=None):
        super().__init__("e2e", tempfile.mkdtemp(prefix="kubelite-e2e-etcd-"), tls=tls, client=client)

    def remove(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class EtcdCluster:
    """Three (or `size`) etcd members on one machine, each with its own ports and data dir."""

    def __init__(self, size=3):
        self.dir = Path(tempfile.mkdtemp(prefix="kubelite-e2e-etcd-cluster-"))
        self.members = [EtcdMember(f"m{i}", self.dir / f"m{i}") for i in range(size)]
        initial = ",".join(f"{m.name}={m.peer_url}" for m in self.members)
        for member in self.members:
            member.initial_cluster, member.token = initial, f"kubelite-e2e-{self.dir.name}"

    @property
    def urls(self):
        """Every member's client URL, as --etcd-servers takes them."""
        return ",".join(m.url for m in self.members)

    def start(self):
        for member in self.members:
            member.launch()
        for member in self.members:
            member.wait_healthy()
        return self

    def running(self):
        return [m for m in self.members if m.is_running()]

    def leader(self):
        return next(m for m in self.running() if m.is_leader())

    def remove(self):
        for member in self.members:
            member.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


# ---- kubectl watches, shared by the etcd tests ----

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


def kubectl_watch(server, tmp_path, *args):
    """`kubectl get -w --output-watch-events` in the default table output: its EVENT column names the
    type (`-o name` prints names only, without the type)."""
    command = ["kubectl", f"--cache-dir={tmp_path / 'kubectl-cache'}", "--namespace=default", *args]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                               env={"KUBECONFIG": str(server.kubeconfig), "PATH": "/usr/local/bin:/usr/bin:/bin"})
    return LineReader(process)


def reports(watcher, event, name):
    """Whether the kubectl watch printed a row for `event` (ADDED, MODIFIED, DELETED) of `name`."""
    return any(line.split()[:2] == [event, name] for line in watcher.lines)
