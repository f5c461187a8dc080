"""Helpers of the end-to-end suite: a kubelite process, the real kubectl, waits and Status checks."""

import base64
import http.client
import ipaddress
import json
import itertools
import os
import pty
import pwd
import re
import select
import secrets
import signal
import socket
import ssl
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import yaml
from kubernetes import client as k8s_client
from kubernetes import config as k8s_config
import shutil

REPO_ROOT = Path(__file__).resolve().parents[2]
MANIFESTS = Path(__file__).resolve().parent / "manifests"
STARTUP_DEADLINE = 30.0
SHUTDOWN_DEADLINE = 10.0


def wait_for(predicate, timeout, message, interval=0.05):
    """Polls `predicate` until it returns a truthy value (returned) or `timeout` seconds pass (AssertionError)."""
    deadline = time.monotonic() + timeout
    last_error = None
    while True:
        try:
            value = predicate()
            if value:
                return value
        except Exception as error:  # the condition may not be checkable yet (connection refused, 404 ...)
            last_error = error
        if time.monotonic() >= deadline:
            detail = f" (last error: {last_error!r})" if last_error else ""
            raise AssertionError(f"timed out after {timeout}s waiting for: {message}{detail}")
        time.sleep(interval)


def kubelite_binary():
    path = os.environ.get("KUBELITE_BIN") or str(REPO_ROOT / ".build" / "debug" / "kubelite")
    if not os.access(path, os.X_OK):
        pytest.exit(f"kubelite binary not found or not executable: {path} (set KUBELITE_BIN)", returncode=2)
    return path


_cluster_cidrs = itertools.count()


def next_cluster_cidr():
    """A pod network for one test server: servers alive at the same time (and other suites' servers,
    by process id) must not share one, since real pods get their addresses on a bridge of the host.
    A range another suite's server already holds on this host is passed over."""
    taken = _host_networks()
    for _ in range(64):
        n = next(_cluster_cidrs)
        cidr = ipaddress.ip_network(f"10.{128 + (os.getpid() + n // 16) % 64}.{(n % 16) * 16}.0/20")
        if not any(cidr.overlaps(net) for net in taken):
            return str(cidr)
    return str(cidr)


def _host_networks():
    """The IPv4 networks on this host's interfaces (empty when `ip` is missing)."""
    try:
        out = subprocess.run(["ip", "-j", "-4", "addr", "show"], capture_output=True, text=True, timeout=10).stdout
        return [ipaddress.ip_network(f"{a['local']}/{a['prefixlen']}", strict=False)
                for link in json.loads(out or "[]") for a in link.get("addr_info", [])]
    except (OSError, ValueError, subprocess.SubprocessError):
        return []


class Server:
    """One running `kubelite serve` on a free port, with the kubeconfig it wrote; `args` are extra flags
    (`--port 0` for plain HTTP on loopback instead of HTTPS with RBAC)."""

    def __init__(self, workdir, args=(), user=None):
        self.workdir = Path(workdir)
        self.args = [str(a) for a in args]
        self.user = user  # run as this user (setpriv) instead of the test's own
        self.kubeconfig = self.workdir / "kubeconfig"
        self.log_path = self.workdir / "kubelite.log"
        self.process = None
        self.url = None
        # requests' TLS arguments for an HTTPS server: the kubeconfig's CA and admin certificate as files.
        self.tls = {}

    def start(self):
        self.log_file = open(self.log_path, "wb")
        given = self.args.index("--cluster-cidr") + 1 if "--cluster-cidr" in self.args else None
        self.cluster_cidr = self.args[given] if given else next_cluster_cidr()
        as_user = []
        if self.user is not None:
            account = pwd.getpwnam(self.user)
            as_user = ["setpriv", f"--reuid={account.pw_uid}", f"--regid={account.pw_gid}", "--clear-groups", "--"]
        self.process = subprocess.Popen(
            [*as_user, kubelite_binary(), "serve", *self._listener(), "--kubeconfig", str(self.kubeconfig),
             "--bind-address", "127.0.0.1", "--dns-port", "0",
             *([] if "--data-dir" in self.args else ["--in-memory"]),
             *([] if "--cluster-cidr" in self.args else ["--cluster-cidr", self.cluster_cidr]),
             *self.args],
            stdin=subprocess.DEVNULL, stdout=self.log_file, stderr=subprocess.STDOUT)

        def kubeconfig_written():
            self.assert_running()
            return self.kubeconfig.exists() and self.kubeconfig.stat().st_size > 0

        wait_for(kubeconfig_written, STARTUP_DEADLINE, f"kubelite to write {self.kubeconfig}")
        config = yaml.safe_load(self.kubeconfig.read_text())
        self.url = config["clusters"][0]["cluster"]["server"].rstrip("/")
        if self.url.startswith("https://"):
            self.tls = self._tls_files(config)

        def ready():
            self.assert_running()
            return requests.get(self.url + "/readyz", timeout=2, **self.tls).status_code == 200

        wait_for(ready, STARTUP_DEADLINE, "kubelite /readyz to answer 200")
        wait_for(self.controllers_running, STARTUP_DEADLINE, "kubelite's controllers to run (default ServiceAccount, Ready nodes)")
        return self

    def controllers_running(self):
        """/readyz does not wait for the controllers, as kube-apiserver's does not wait for
        kube-controller-manager: like upstream's e2e framework before its tests, wait for the `default`
        ServiceAccount (the serviceaccount controller runs) and for every node to be Ready (the kubelets
        run). A server this client may not read (an RBAC test's) is taken as it is."""
        self.assert_running()
        account = requests.get(self.url + "/api/v1/namespaces/default/serviceaccounts/default", timeout=5, **self.tls)
        nodes = requests.get(self.url + "/api/v1/nodes", timeout=5, **self.tls)
        if {account.status_code, nodes.status_code} & {401, 403}:
            return True
        if account.status_code != 200 or nodes.status_code != 200:
            return False
        items = nodes.json().get("items") or []
        return bool(items) and all(
            any(c.get("type") == "Ready" and c.get("status") == "True" for c in (n.get("status") or {}).get("conditions") or [])
            for n in items)

    def _listener(self):
        """HTTPS on a free port, as `kubelite serve` defaults to (RBAC, the kubeconfig's admin certificate),
        unless the test asks for plain HTTP with `--port` or names its own `--secure-port`."""
        return [] if "--port" in self.args or "--secure-port" in self.args else ["--secure-port", "0"]

    def _tls_files(self, config):
        """The kubeconfig's inline CA and client certificate written out as the files `requests` takes."""
        cluster, user = config["clusters"][0]["cluster"], config["users"][0]["user"]
        files = {}
        for key, name in (("certificate-authority-data", "ca.crt"), ("client-certificate-data", "client.crt"),
                          ("client-key-data", "client.key")):
            source = cluster if key.startswith("certificate-authority") else user
            if key in source:
                path = self.workdir / name
                path.write_bytes(base64.b64decode(source[key]))
                files[name] = str(path)
        tls = {"verify": files.get("ca.crt", True)}
        if "client.crt" in files:
            tls["cert"] = (files["client.crt"], files["client.key"])
        return tls

    def assert_running(self):
        code = self.process.poll()
        if code is not None:
            raise AssertionError(f"kubelite exited with {code}; log tail:\n{self.log_tail()}")

    def log_tail(self, lines=40):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def is_ready(self):
        """True when the process is alive and /readyz answers 200."""
        if self.process.poll() is not None:
            return False
        try:
            return requests.get(self.url + "/readyz", timeout=5, **self.tls).status_code == 200
        except requests.RequestException:
            return False

    def stop(self):
        """SIGTERM, then wait with a deadline; SIGKILL only if it does not stop. Returns the exit code."""
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=SHUTDOWN_DEADLINE)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=SHUTDOWN_DEADLINE)
            raise AssertionError(f"kubelite did not stop within {SHUTDOWN_DEADLINE}s of SIGTERM")
        finally:
            self.log_file.close()

    # ---- clients bound to this server ----

    def raw(self, method, path, body=None, headers=None, params=None, timeout=30):
        """One HTTP request with `requests`. A dict or list body is sent as JSON (Content-Type
        application/json unless given); str and bytes are sent as they are."""
        headers = dict(headers or {})
        data = body
        if isinstance(body, (dict, list)):
            data = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        elif isinstance(body, str):
            data = body.encode()
        return requests.request(method, self.url + path, data=data, headers=headers, params=params,
                                timeout=timeout, **self.tls)

    def connect(self, timeout=30, client_certificate=True):
        """A connected socket to the API, TLS-wrapped (the kubeconfig's CA, and its admin certificate unless
        `client_certificate` is false) when the server serves HTTPS."""
        host, port = self.url.split("://", 1)[1].split(":")
        sock = socket.create_connection((host, int(port)), timeout=timeout)
        if not self.url.startswith("https://"):
            return sock
        context = ssl.create_default_context(cafile=self.tls["verify"])
        if client_certificate and "cert" in self.tls:
            context.load_cert_chain(*self.tls["cert"])
        return context.wrap_socket(sock, server_hostname=host)

    def session(self):
        """A `requests` session that trusts the server's CA and presents the admin certificate (HTTPS)."""
        session = requests.Session()
        # Not the environment's REQUESTS_CA_BUNDLE: requests lets it override a session's own `verify`.
        session.trust_env = False
        session.verify = self.tls.get("verify", True)
        session.cert = self.tls.get("cert")
        return session

    def curl_args(self):
        """curl's flags for the same credentials: the CA, and the admin certificate and key."""
        if "cert" not in self.tls:
            return []
        return ["--cacert", self.tls["verify"], "--cert", self.tls["cert"][0], "--key", self.tls["cert"][1]]

    def http_connection(self, timeout=30):
        """An `http.client` connection to the API: HTTPS with the kubeconfig's CA and admin certificate, or HTTP."""
        host, port = self.url.split("://", 1)[1].split(":")
        if not self.url.startswith("https://"):
            return http.client.HTTPConnection(host, int(port), timeout=timeout)
        context = ssl.create_default_context(cafile=self.tls["verify"])
        if "cert" in self.tls:
            context.load_cert_chain(*self.tls["cert"])
        return http.client.HTTPSConnection(host, int(port), timeout=timeout, context=context)

    def raw_socket(self, request_bytes, timeout=30):
        """Sends a hand-built HTTP/1.1 request and reads the answer even when the server answers before the
        whole request was sent (an oversized body or header). Returns (status, headers dict, body bytes)."""
        sock = self.connect(timeout)
        try:
            try:
                sock.sendall(request_bytes)
            except (BrokenPipeError, ConnectionResetError, ssl.SSLEOFError):
                pass  # the server answered early and closed its side; its answer is still readable
            response = http.client.HTTPResponse(sock, method="POST")
            response.begin()
            body = response.read()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, body
        finally:
            sock.close()

    def api_client(self):
        configuration = k8s_client.Configuration()
        k8s_config.load_kube_config(config_file=str(self.kubeconfig), client_configuration=configuration)
        return k8s_client.ApiClient(configuration)


@dataclass
class Clients:
    """The official Python client's typed APIs, configured from the server's kubeconfig."""
    api_client: k8s_client.ApiClient
    core: k8s_client.CoreV1Api
    apps: k8s_client.AppsV1Api
    storage: k8s_client.StorageV1Api
    discovery: k8s_client.DiscoveryV1Api
    coordination: k8s_client.CoordinationV1Api


class KubectlError(AssertionError):
    def __init__(self, args, returncode, stdout, stderr):
        super().__init__(f"kubectl {' '.join(map(str, args))} exited {returncode}\nstdout:\n{stdout}\nstderr:\n{stderr}")
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr


class Kubectl:
    """Runs the real kubectl against one server, in one namespace unless `namespace=None`."""

    def __init__(self, server, cache_dir, namespace=None):
        self.server = server
        self.cache_dir = cache_dir
        self.namespace = namespace

    def run(self, *args, input=None, env=None, namespace="", timeout=60):
        """Returns the CompletedProcess (stdout and stderr as text), whatever the exit code."""
        namespace = self.namespace if namespace == "" else namespace
        command = ["kubectl", f"--cache-dir={self.cache_dir}"]
        if namespace:
            command.append(f"--namespace={namespace}")
        command += [str(a) for a in args]
        environment = dict(os.environ, KUBECONFIG=str(self.server.kubeconfig))
        environment.update(env or {})
        return subprocess.run(command, input=input, capture_output=True, text=True, env=environment,
                              timeout=timeout)

    def __call__(self, *args, input=None, check=True, env=None, namespace=""):
        """Returns stdout; with `check`, raises KubectlError (carrying stderr) on a non-zero exit."""
        result = self.run(*args, input=input, env=env, namespace=namespace)
        if check and result.returncode != 0:
            raise KubectlError(args, result.returncode, result.stdout, result.stderr)
        return result.stdout

    def json(self, *args, **kwargs):
        return json.loads(self(*args, "-o", "json", **kwargs))


def namespace_name(request):
    base = re.sub(r"[^a-z0-9-]+", "-", request.node.name.lower()).strip("-")[:40].strip("-")
    return f"e2e-{base}-{secrets.token_hex(3)}"


# The ConfigMap the root CA publisher puts in every namespace, as on a real cluster.
ROOT_CA_CONFIGMAP = "kube-root-ca.crt"


def create_namespace(server, name):
    """Creates a namespace and waits until it is settled as on a real cluster: its `default` ServiceAccount
    and kube-root-ca.crt made by the controllers, so they do not show up in a test's watch halfway through."""
    response = server.raw("POST", "/api/v1/namespaces",
                          {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    assert response.status_code == 201, f"creating namespace {name}: {response.status_code} {response.text}"
    wait_for(lambda: server.raw("GET", f"/api/v1/namespaces/{name}/configmaps/{ROOT_CA_CONFIGMAP}").status_code == 200
             and server.raw("GET", f"/api/v1/namespaces/{name}/serviceaccounts/default").status_code == 200,
             10, f"namespace {name}'s default ServiceAccount and {ROOT_CA_CONFIGMAP}")
    return name


def without_root_ca(names):
    """The names a test made itself: every namespace also holds kube-root-ca.crt."""
    return [name for name in names if name != ROOT_CA_CONFIGMAP]


def assert_status(response, code, reason=None, message=None):
    """Asserts an HTTP answer is a Kubernetes `Status` with this code (and reason, and exact message)."""
    assert response.status_code == code, (
        f"expected HTTP {code}, got {response.status_code}: {response.text[:600]}")
    content_type = response.headers.get("Content-Type", "")
    assert content_type.startswith("application/json"), f"Status Content-Type is {content_type!r}"
    status = response.json()
    assert status.get("kind") == "Status", f"not a Status: {status}"
    assert status.get("apiVersion") == "v1", status
    assert status.get("status") == "Failure", status
    assert status.get("code") == code, status
    if reason is not None:
        assert status.get("reason") == reason, status
    if message is not None:
        assert status.get("message") == message, status
    return status


def parse_table(text):
    """Parses kubectl's column output into blocks of rows (dicts by header), split at blank lines. Columns
    are cut at the header's column starts, so empty cells (e.g. no SHORTNAMES) read as ''."""
    blocks = []
    for chunk in re.split(r"\n\s*\n", text.strip("\n")):
        lines = [line for line in chunk.splitlines() if line.strip()]
        if not lines:
            continue
        header = lines[0]
        starts = [m.start() for m in re.finditer(r"(?:(?<=\s\s)|^)\S+(?: \S+)*", header)]
        names = [header[s:].split("  ")[0].strip() for s in starts]
        rows = []
        for line in lines[1:]:
            cells = []
            for i, start in enumerate(starts):
                end = starts[i + 1] if i + 1 < len(starts) else None
                cells.append(line[start:end].strip())
            rows.append(dict(zip(names, cells)))
        blocks.append({"header": names, "rows": rows})
    return blocks


# ---- watching with the real kubectl, and reading StatefulSet pods ----

class OutputReader:
    """Reads a background process' stdout without blocking, collecting complete lines."""

    def __init__(self, process):
        self.process = process
        self.lines = []
        self._partial = ""
        os.set_blocking(process.stdout.fileno(), False)

    def poll(self):
        chunk = self.process.stdout.read()  # bytes, or None when nothing is waiting
        if chunk:
            text = self._partial + chunk.decode()
            *complete, self._partial = text.split("\n")
            self.lines.extend(complete)
        return self.lines

    def wait_for_line(self, predicate, timeout, what):
        return wait_for(lambda: next((line for line in self.poll() if predicate(line)), None), timeout, what)


class EventLog:
    """Records a watch on a collection path (`/api/v1/namespaces/X/pods`) in the background, every event in
    the order the server sent it: one watch stream, so in resourceVersion order, which is what lets a test
    say "pod 1 was created after pod 0 became Ready". It lists first and watches from the list's
    resourceVersion, so nothing written after the constructor returns is missed. Events are dicts
    {"type", "object"}; `stop()` ends it (or use it as a context manager)."""

    def __init__(self, server, path, params=None):
        import threading
        self.server = server
        self.path = path
        self.params = dict(params or {})
        listed = server.raw("GET", path, params=self.params)
        assert listed.status_code == 200, f"GET {path}: {listed.status_code} {listed.text[:300]}"
        body = listed.json()
        self.events = [{"type": "ADDED", "object": item} for item in body.get("items") or []]
        self.resource_version = body["metadata"]["resourceVersion"]
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.error = None
        self.socket = None
        self.reader = threading.Thread(target=self._run, daemon=True)
        self.reader.start()

    def _run(self):
        from urllib.parse import urlencode
        try:
            while not self.stopped.is_set():
                params = dict(self.params, watch="true", resourceVersion=self.resource_version,
                              allowWatchBookmarks="true", timeoutSeconds="600")
                connection = self.server.http_connection(timeout=700)
                connection.connect()
                self.socket = connection.sock  # stop() shuts it down: that unblocks a pending read
                if self.stopped.is_set():
                    return
                connection.request("GET", f"{self.path}?{urlencode(params)}")
                response = connection.getresponse()
                if response.status != 200:
                    raise AssertionError(f"watch {self.path}: {response.status} {response.read()[:300]!r}")
                while True:
                    line = response.readline()
                    if not line:
                        break
                    if not line.strip():
                        continue
                    event = json.loads(line)
                    if event.get("type") == "ERROR":
                        raise AssertionError(f"watch {self.path} ERROR event: {event}")
                    self.resource_version = event["object"]["metadata"]["resourceVersion"]
                    if event.get("type") == "BOOKMARK":
                        continue
                    with self.lock:
                        self.events.append({"type": event["type"], "object": event["object"]})
                connection.close()
        except Exception as error:  # stop() shuts the socket down under readline
            if not self.stopped.is_set():
                self.error = error

    def snapshot(self):
        with self.lock:
            return list(self.events)

    def wait_until(self, predicate, timeout, message):
        """Waits until predicate(events) is truthy and returns the events; fails early if the watch broke."""
        def check():
            if self.error is not None:
                raise AssertionError(f"watch {self.path} broke: {self.error!r}")
            events = self.snapshot()
            return predicate(events) and events
        try:
            return wait_for(check, timeout, message)
        except AssertionError as failure:
            raise AssertionError(f"{failure}\nevents so far:\n{describe_events(self.snapshot())}") from None

    def stop(self):
        self.stopped.set()
        if self.socket is not None:
            try:
                self.socket.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed by the server
        self.reader.join(timeout=10)
        assert not self.reader.is_alive(), f"the watch reader of {self.path} did not stop"
        return self.snapshot()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def replay(events):
    """Yields (event, state) for each watch event, `state` being {name: object} after the event
    (a DELETED event removes the name)."""
    state = {}
    for event in events:
        name = event["object"].get("metadata", {}).get("name")
        if event["type"] == "DELETED":
            state.pop(name, None)
        elif event["type"] in ("ADDED", "MODIFIED"):
            state[name] = event["object"]
        yield event, dict(state)


def pod_condition(pod, kind):
    for condition in (pod.get("status") or {}).get("conditions") or []:
        if condition.get("type") == kind:
            return condition
    return None


def pod_running_and_ready(pod):
    """The StatefulSet controller's isRunningAndReady: phase Running and the Ready condition True."""
    ready = pod_condition(pod, "Ready")
    return (pod.get("status") or {}).get("phase") == "Running" and ready is not None and ready.get("status") == "True"


def pod_terminating(pod):
    return bool(pod.get("metadata", {}).get("deletionTimestamp"))


def pod_summary(pod):
    """One line per pod for assertion messages: name, uid tail, phase, ready, revision, terminating."""
    meta = pod.get("metadata", {})
    ready = pod_condition(pod, "Ready")
    return (f"{meta.get('name')} uid=..{(meta.get('uid') or '')[-6:]} rv={meta.get('resourceVersion')} "
            f"phase={(pod.get('status') or {}).get('phase')} ready={ready.get('status') if ready else None} "
            f"rev={(meta.get('labels') or {}).get('controller-revision-hash')} "
            f"deleting={bool(meta.get('deletionTimestamp'))}")


def describe_events(events):
    return "\n".join(f"{e['type']:8} {pod_summary(e['object'])}" for e in events)


# ---- StatefulSet scenarios ----

# The simulated node's test hooks (see the README's "Simulated node" section).
READY_ANNOTATION = "kubelite.dev/ready"


def load_manifest(name):
    return yaml.safe_load((MANIFESTS / name).read_text())


def write_manifest(directory, name, document):
    """Writes a (changed) manifest to `directory/name` for `kubectl apply -f`, and returns its path."""
    path = Path(directory) / name
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def pods_by_name(kubectl, selector):
    return {pod["metadata"]["name"]: pod for pod in kubectl.json("get", "pods", "-l", selector)["items"]}


def assert_holds(predicate, duration, message, interval=0.2):
    """Checks `predicate` stays truthy for `duration` seconds (a negative wait: something must NOT
    happen). Fails at the first poll where it does not hold."""
    deadline = time.monotonic() + duration
    while True:
        value = predicate()
        assert value, f"no longer true: {message}"
        if time.monotonic() >= deadline:
            return value
        time.sleep(interval)


def wait_statefulset(kubectl, name, predicate, timeout, message, selector=None):
    """Polls `kubectl get sts NAME -o json` until predicate(sts) holds; returns the StatefulSet. On timeout
    the failure shows the last status and the pods (selected by `selector`)."""
    last = {}

    def check():
        last["sts"] = kubectl.json("get", "sts", name)
        return predicate(last["sts"]) and last["sts"]

    try:
        return wait_for(check, timeout, message, interval=0.25)
    except AssertionError as failure:
        sts = last.get("sts") or {}
        detail = f"\nlast generation {sts.get('metadata', {}).get('generation')}, status {sts.get('status')}"
        if selector:
            try:
                detail += "\npods:\n" + "\n".join(pod_summary(p) for p in pods_by_name(kubectl, selector).values())
            except AssertionError as error:
                detail += f"\n(pods not listed: {error})"
        raise AssertionError(f"{failure}{detail}") from None


def observed(sts):
    status = sts.get("status") or {}
    return status.get("observedGeneration") == sts["metadata"]["generation"]


def settled(replicas):
    """Predicate: the controller observed the latest spec and `replicas` pods are ready and on the update
    revision, which is also the current revision (a finished rollout)."""
    def check(sts):
        status = sts.get("status") or {}
        return (observed(sts) and status.get("replicas") == replicas
                and status.get("readyReplicas", 0) == replicas
                and status.get("updatedReplicas", 0) == replicas
                and status.get("currentReplicas", 0) == replicas
                and status.get("currentRevision") == status.get("updateRevision"))
    return check


def name_of(event):
    return event["object"].get("metadata", {}).get("name")


def holds_for(predicate, duration, message, interval=0.1):
    """Checks `predicate` again and again for `duration` seconds: an AssertionError the first time it is
    false (or raises). Shows that something *stays* so (a claim kept Pending, a finalizer kept) without a
    blind sleep: the condition is watched the whole time."""
    deadline = time.monotonic() + duration
    while True:
        try:
            value = predicate()
        except Exception as error:
            raise AssertionError(f"stopped holding ({error!r}): {message}") from error
        if not value:
            raise AssertionError(f"stopped holding: {message}")
        if time.monotonic() >= deadline:
            return value
        time.sleep(interval)


DNS_LOG_LINE = re.compile(r"cluster DNS serving (\S+) on ([0-9.]+):(\d+)")


@dataclass
class ClusterDNS:
    """Where a kubelite's DNS server listens, as its log announces it."""
    domain: str
    address: str
    port: int


def cluster_dns(server, timeout=10.0):
    """The DNS address of `server`, read from its log line `cluster DNS serving <domain> on <addr>:<port>`."""
    def announced():
        match = DNS_LOG_LINE.search(server.log_path.read_text(errors="replace"))
        return match and ClusterDNS(match.group(1), match.group(2), int(match.group(3)))

    return wait_for(announced, timeout, f"the DNS log line in {server.log_path}")


class Dig:
    """The real `dig` (Debian's dnsutils) pointed at one kubelite's cluster DNS server."""

    def __init__(self, dns):
        if shutil.which("dig") is None:
            pytest.fail("dig is not on PATH (apt-get install dnsutils)")
        self.dns = dns

    def run(self, name, rtype="A", *options):
        """The whole `dig` answer as text (header with status, sections)."""
        command = ["dig", f"@{self.dns.address}", "-p", str(self.dns.port), "+time=2", "+tries=2"]
        command += [*(["-x", name] if rtype == "PTR" else [name, rtype]), *options]
        result = subprocess.run(command, capture_output=True, text=True, timeout=30)
        if result.returncode != 0:
            raise AssertionError(f"{' '.join(command)} exited {result.returncode}:\n{result.stdout}{result.stderr}")
        return result.stdout

    def short(self, name, rtype="A", *options):
        """The answer records' data, `+short`, as a sorted list."""
        return sorted(line for line in self.run(name, rtype, "+short", *options).splitlines() if line.strip())

    def status(self, name, rtype="A", *options):
        """The rcode from dig's header line (`status: NXDOMAIN`)."""
        match = re.search(r"->>HEADER<<- opcode: \w+, status: (\w+)", self.run(name, rtype, *options))
        assert match, f"no header line in dig's answer for {name}"
        return match.group(1)


def condition(obj, kind):
    """The status condition of this type, or {}."""
    return next((c for c in obj.get("status", {}).get("conditions") or [] if c.get("type") == kind), {})


def pod_is_ready(pod):
    return pod.get("status", {}).get("phase") == "Running" and condition(pod, "Ready").get("status") == "True"


def get_or_none(kubectl, kind, name):
    """The object as JSON, or None when kubectl says it is not found."""
    result = kubectl.run("get", kind, name, "-o", "json")
    if result.returncode != 0:
        if "NotFound" in result.stderr or "not found" in result.stderr:
            return None
        raise KubectlError(("get", kind, name), result.returncode, result.stdout, result.stderr)
    return json.loads(result.stdout)


def wait_for_ready_pods(kubectl, names, timeout=30.0):
    """Waits until every named pod is Running and Ready; returns them by name."""
    def ready():
        pods = {name: get_or_none(kubectl, "pod", name) for name in names}
        return all(p and pod_is_ready(p) for p in pods.values()) and pods

    return wait_for(ready, timeout, f"pods {', '.join(names)} Running and Ready", interval=0.2)


def wait_for_statefulset(kubectl, name, replicas, timeout=45.0):
    """Waits until the StatefulSet reports `replicas` ready replicas and its pods 0..replicas-1 are Ready
    (and no higher ordinal remains); returns the pods by name."""
    names = [f"{name}-{i}" for i in range(replicas)]

    def settled():
        status = kubectl.json("get", "sts", name).get("status", {})
        if status.get("readyReplicas", 0) != replicas or status.get("replicas", 0) != replicas:
            return False
        if get_or_none(kubectl, "pod", f"{name}-{replicas}") is not None:
            return False
        pods = {n: get_or_none(kubectl, "pod", n) for n in names}
        return all(p and pod_is_ready(p) for p in pods.values()) and pods

    return wait_for(settled, timeout, f"statefulset {name} at {replicas} ready replicas", interval=0.2)


def wait_for_gone(kubectl, kind, name, timeout=30.0):
    wait_for(lambda: get_or_none(kubectl, kind, name) is None, timeout, f"{kind} {name} to be gone", interval=0.2)


def kubectl_delete(kubectl, *args, timeout=30.0):
    """`kubectl delete ...` as a user types it (it waits until the object is gone), with a deadline; returns
    stdout. kubectl 1.32 waits with a GET (done when the object is gone or has another UID), then a LIST of
    the name (done when absent) and a watch for its DELETED event. An object removed and recreated under the
    same name between that GET and LIST (a few milliseconds) leaves it waiting for the new object's deletion."""
    try:
        result = kubectl.run("delete", *args, timeout=timeout)
    except subprocess.TimeoutExpired as expired:
        output = expired.stdout.decode() if isinstance(expired.stdout, bytes) else expired.stdout
        raise AssertionError(f"kubectl delete {' '.join(map(str, args))} did not return within {timeout}s "
                             f"(stdout so far: {output!r}): kubectl never saw the object go (removed and recreated between its "
                             "GET and LIST?)") from None
    if result.returncode != 0:
        raise KubectlError(("delete", *args), result.returncode, result.stdout, result.stderr)
    return result.stdout


def tty_session(kubectl, args, typed, timeout=30, prompt=None):
    """Runs kubectl with a pseudo-terminal as its stdin and stdout (as a user's shell gives it), types `typed`,
    and returns everything the terminal showed and the exit code."""
    command = ["kubectl", f"--cache-dir={kubectl.cache_dir}", f"--namespace={kubectl.namespace}", *args]
    env = dict(os.environ, KUBECONFIG=str(kubectl.server.kubeconfig), TERM="dumb")
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe("kubectl", command, env)
    output = b""
    deadline = time.monotonic() + timeout
    sent = False
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not chunk:
                    break
                output += chunk
                # The remote shell's prompt shows once the session is up; type then.
                if not sent and (b"#" in output or b"$" in output or (prompt and prompt in output)):
                    os.write(fd, typed.encode())
                    sent = True
        else:
            raise AssertionError(f"the terminal session did not end within {timeout} s; it showed {output!r}")
    finally:
        status = _reap(pid, deadline=time.monotonic() + 10)
    return output.decode(errors="replace"), os.waitstatus_to_exitcode(status)


def _reap(pid, deadline):
    """Waits for a child until the deadline, then kills it: a session that does not end must fail the test, not
    hang it."""
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    raise AssertionError(f"kubectl (pid {pid}) did not exit within its deadline after the terminal closed")


def audited_server(tmp_path, policy, log):
    """A server writing the audit log `log` under `policy` (YAML text), with a kubectl in `default`; yields
    (server, log, kubectl) and stops the server after (for a pytest fixture)."""
    (tmp_path / "policy.yaml").write_text(policy)
    (tmp_path / "run").mkdir()
    server = Server(tmp_path / "run", ["--audit-policy-file", tmp_path / "policy.yaml", "--audit-log-path", log]).start()
    yield server, log, Kubectl(server, tmp_path / "cache", namespace="default")
    server.stop()


def audit_events(log):
    """The audit log's events so far (none before the file exists)."""
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]

