"""pods/portforward as the clients speak it: kubectl 1.32 (a SPDY/3 session tunneled in a WebSocket,
`SPDY/3.1+portforward.k8s.io`) and the official Python client (`v4.channel.k8s.io`, a data and an error
channel per port). Pods that really run are reached on localhost inside their network namespace, as
containerd dials; a port nobody listens on gets the kubelet's error; a simulated pod a Status saying so.
Needs root (pods that really run), redis-server and python3; CI runs as root. The protocol itself is also
proven in-process against a fake node (Tests/APIServerTests/PodPortForwardHTTPTests.swift)."""

import json
import os
import select
import shutil
import socket
import subprocess
import threading
import urllib.request

import pytest
from kubernetes.stream import portforward

from support import get_or_none, pod_is_ready, wait_for

needs_root = pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None or shutil.which("ip") is None,
                                reason="real pods need root, util-linux and iproute2 (pods are simulated otherwise)")
needs_redis = pytest.mark.skipif(shutil.which("redis-server") is None or shutil.which("redis-cli") is None,
                                 reason="needs the Debian package redis-server (redis-cli on the host)")

ECHO_SERVER = """
import socket, threading
def echo(c):
    while True:
        d = c.recv(65536)
        if not d:
            break
        c.sendall(d)
    c.close()
def serve(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.listen(16)
    while True:
        c, _ = s.accept()
        threading.Thread(target=echo, args=(c,), daemon=True).start()
for p in (1234, 1235):
    threading.Thread(target=serve, args=(p,), daemon=True).start()
threading.Event().wait()
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ready_pod(kubectl, name, timeout=60):
    return wait_for(lambda: (p := get_or_none(kubectl, "pod", name)) and pod_is_ready(p) and p, timeout,
                    f"pod {name} Ready", interval=0.1)


class KubectlPortForward:
    """`kubectl port-forward TARGET LOCAL:REMOTE...` running in the background until stopped."""

    def __init__(self, kubectl, target, *mappings, env=None):
        environment = dict(os.environ, KUBECONFIG=str(kubectl.server.kubeconfig), **(env or {}))
        command = ["kubectl", f"--cache-dir={kubectl.cache_dir}", f"--namespace={kubectl.namespace}",
                   "port-forward", target, *mappings]
        self.process = subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.stdout = []
        # Ready once kubectl listens on every local port it was given.
        wait_for(lambda: self._listening(len(mappings)), 20, f"kubectl port-forward {target} listening")

    def _listening(self, count):
        if self.process.poll() is not None:
            raise AssertionError(f"kubectl port-forward exited {self.process.returncode}: {self.process.stderr.read()}")
        ready, _, _ = select.select([self.process.stdout], [], [], 0.1)
        if ready:
            self.stdout.append(self.process.stdout.readline())
        return sum(line.startswith("Forwarding from 127.0.0.1:") for line in self.stdout) >= count

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
        out, err = self.process.communicate(timeout=10)
        return "".join(self.stdout) + out, err


@pytest.fixture
def redis_pod(kubectl, manifests):
    kubectl("apply", "-f", manifests / "redis-sts.yml")
    kubectl("scale", "statefulset", "redis-sts", "--replicas=1")
    ready_pod(kubectl, "redis-sts-0")
    return "redis-sts-0"


@pytest.fixture
def echo_pod(kubectl):
    pod = {
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "echo"},
        "spec": {"containers": [{
            "name": "echo", "image": "python", "command": ["python3", "-c", ECHO_SERVER],
            "readinessProbe": {"tcpSocket": {"port": 1235}, "periodSeconds": 1},
        }]},
    }
    kubectl("apply", "-f", "-", input=json.dumps(pod))
    ready_pod(kubectl, "echo")
    return "echo"


@pytest.fixture
def web_pod(kubectl):
    """An HTTP server pod: nginx when the machine has it (the image catalog runs it), else python's http.server."""
    if shutil.which("nginx"):
        container = {"name": "web", "image": "nginx", "readinessProbe": {"httpGet": {"path": "/", "port": 80}, "periodSeconds": 1}}
        port, marker = 80, "Welcome to nginx!"
    else:
        container = {"name": "web", "image": "python", "command": ["python3", "-m", "http.server", "8080", "--directory", "/etc"],
                     "readinessProbe": {"httpGet": {"path": "/", "port": 8080}, "periodSeconds": 1}}
        port, marker = 8080, "Directory listing for /"
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "labels": {"app": "web"}}, "spec": {"containers": [container]}}
    kubectl("apply", "-f", "-", input=json.dumps(pod))
    ready_pod(kubectl, "web")
    return "web", port, marker


def redis_cli(port, *command, input=None):
    result = subprocess.run(["redis-cli", "-p", str(port), *command], input=input, capture_output=True, text=True, timeout=20)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@needs_root
@needs_redis
def test_kubectl_port_forward_reaches_redis(kubectl, redis_pod):
    local = free_port()
    forward = KubectlPortForward(kubectl, f"pod/{redis_pod}", f"{local}:6379")
    try:
        assert redis_cli(local, "ping") == "PONG"
        assert redis_cli(local, "set", "greeting", "hello") == "OK"
        assert redis_cli(local, "get", "greeting") == "hello"
    finally:
        out, err = forward.stop()
    assert f"Forwarding from 127.0.0.1:{local} -> 6379" in out
    assert f"Handling connection for {local}" in out
    assert "error" not in err.lower(), err


@needs_root
@needs_redis
def test_kubectl_port_forward_to_a_service_and_a_statefulset(kubectl, manifests, redis_pod):
    # kubectl picks a pod of the Service or the StatefulSet itself (and maps the Service's port).
    kubectl("apply", "-f", manifests / "redis-svc.yml")
    for target in ("svc/redis-svc", "statefulset/redis-sts"):
        local = free_port()
        forward = KubectlPortForward(kubectl, target, f"{local}:6379")
        try:
            assert redis_cli(local, "ping") == "PONG"
        finally:
            forward.stop()


@needs_root
@needs_redis
def test_kubectl_over_spdy_when_websockets_are_off(kubectl, redis_pod):
    # kubectl before 1.31 (and 1.32 with websockets off): SPDY/3.1 over an upgraded POST.
    local = free_port()
    forward = KubectlPortForward(kubectl, f"pod/{redis_pod}", f"{local}:6379", env={"KUBECTL_PORT_FORWARD_WEBSOCKETS": "false"})
    try:
        assert redis_cli(local, "ping") == "PONG"
        assert redis_cli(local, "echo", "over spdy") == "over spdy"
    finally:
        _, err = forward.stop()
    assert "error" not in err.lower(), err


@needs_root
@needs_redis
def test_several_concurrent_connections_share_one_forward(kubectl, redis_pod):
    local = free_port()
    forward = KubectlPortForward(kubectl, f"pod/{redis_pod}", f"{local}:6379")
    try:
        # One connection stays open across the others.
        held = socket.create_connection(("127.0.0.1", local), timeout=10)
        held.sendall(b"PING\r\n")
        assert held.recv(64) == b"+PONG\r\n"
        results = []

        def increment():
            results.append(int(redis_cli(local, "incr", "counter")))

        threads = [threading.Thread(target=increment) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert sorted(results) == list(range(1, 9))
        held.sendall(b"GET counter\r\n")
        assert held.recv(64) == b"$1\r\n8\r\n"
        held.close()
        # A larger value both ways through the tunnel.
        value = "x" * 300_000
        assert redis_cli(local, "-x", "set", "big", input=value) == "OK"
        assert redis_cli(local, "strlen", "big") == "300000"
        assert redis_cli(local, "get", "big") == value
    finally:
        forward.stop()


@needs_root
@needs_redis
def test_port_nobody_listens_on_gets_the_kubelets_error(kubectl, redis_pod):
    local = free_port()
    forward = KubectlPortForward(kubectl, f"pod/{redis_pod}", f"{local}:7000")
    try:
        with socket.create_connection(("127.0.0.1", local), timeout=10) as s:
            s.settimeout(10)
            assert s.recv(64) == b""
        # kubectl prints the error stream's message and, as 1.32 does, drops the whole forward.
        forward.process.wait(timeout=10)
    finally:
        _, err = forward.stop()
    assert f"an error occurred forwarding {local} -> 7000: error forwarding port 7000 to pod " in err, err
    assert "failed to execute portforward in network namespace" in err, err
    assert "dial tcp4 127.0.0.1:7000: connect: connection refused" in err, err
    assert "lost connection to pod" in err, err


def test_simulated_pod_says_so(kubectl, ns):
    kubectl("run", "ghost", "--image=registry.example/not-in-the-catalog:1", "--restart=Never")
    ready_pod(kubectl, "ghost")
    result = kubectl.run("port-forward", "pod/ghost", f"{free_port()}:80", timeout=20)
    assert result.returncode == 1
    assert "is simulated by Kubelite" in result.stderr, result.stderr


def test_unknown_pod_is_not_found(kubectl):
    result = kubectl.run("port-forward", "pod/nope", f"{free_port()}:80", timeout=20)
    assert result.returncode == 1
    assert 'pods "nope" not found' in result.stderr, result.stderr


@needs_root
def test_python_client_raw_sockets_and_error_channel(clients, ns, echo_pod):
    # The official client's own end-to-end case (kubernetes-client/python e2e_test test_portforward_raw).
    pf = portforward(clients.core.connect_get_namespaced_pod_portforward, echo_pod, ns, ports="1234,1235,1236")
    assert pf.connected
    s1234, s1235 = pf.socket(1234), pf.socket(1235)
    s1234.setblocking(True)
    s1235.setblocking(True)
    s1234.sendall(b"Test port 1234 forwarding...")
    s1235.sendall(b"Test port 1235 forwarding...")
    replies = {s1234: b"", s1235: b""}
    wait_for(lambda: _drain(replies) and replies[s1234] == b"Test port 1234 forwarding..."
             and replies[s1235] == b"Test port 1235 forwarding...", 10, "both echoes")
    # Nobody listens on 1236: its error channel carries the kubelet's message and its socket closes.
    wait_for(lambda: pf.error(1236), 10, "the error of port 1236")
    assert pf.error(1236).startswith("error forwarding port 1236 to pod "), pf.error(1236)
    assert "connect: connection refused" in pf.error(1236)
    with pytest.raises(OSError):
        for _ in range(50):
            pf.socket(1236).sendall(b"This should fail...")
    for sock in (s1234, s1235):
        sent = b"Another test using fileno %d" % sock.fileno()
        sock.sendall(sent)
        reply = {sock: b""}
        wait_for(lambda: _drain(reply) and reply[sock] == sent, 10, "second echo")
        sock.close()
    wait_for(lambda: not pf.connected, 10, "the client closing the WebSocket once every socket is closed")
    assert pf.error(1234) is None and pf.error(1235) is None


def _drain(replies):
    ready, _, _ = select.select(list(replies), [], [], 0.2)
    for sock in ready:
        data = sock.recv(1024)
        assert data, "unexpected socket close"
        replies[sock] += data
    return True


@needs_root
def test_python_client_http_through_the_forward(clients, ns, web_pod):
    # The official client's test_portforward_http: urllib speaks HTTP over the forwarded socket.
    name, port, marker = web_pod

    def create_connection(address, *args, **kwargs):
        pf = portforward(clients.core.connect_get_namespaced_pod_portforward, name, ns, ports=str(port))
        return pf.socket(port)

    original = socket.create_connection
    socket.create_connection = create_connection
    try:
        response = urllib.request.urlopen(f"http://{name}.{ns}.kubernetes:{port}/", timeout=20)
        html = response.read().decode()
    finally:
        socket.create_connection = original
    assert response.code == 200
    assert marker in html
