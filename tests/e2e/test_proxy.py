"""pods/proxy and services/proxy: HTTP relayed by the API server to a pod's IP, for a Service to a ready
endpoint, with upstream's Statuses when there is nowhere to go (503 "no endpoints available for service",
500 "error trying to reach service: ..."). The page comes from an nginx pod when the machine has nginx
(else python's http.server). Needs root (pods that really run); CI runs as root."""

import json
import os
import shutil
import socket

import pytest
import requests

from support import assert_status, get_or_none, pod_is_ready, wait_for

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None or shutil.which("ip") is None,
                                reason="real pods need root, util-linux and iproute2 (pods are simulated otherwise)")


@pytest.fixture
def web(kubectl, ns):
    if shutil.which("nginx"):
        container = {"name": "web", "image": "nginx", "ports": [{"name": "http", "containerPort": 80}],
                     "readinessProbe": {"httpGet": {"path": "/", "port": 80}, "periodSeconds": 1}}
        port, marker = 80, "Welcome to nginx!"
    else:
        container = {"name": "web", "image": "python", "command": ["python3", "-m", "http.server", "8080", "--directory", "/etc"],
                     "ports": [{"name": "http", "containerPort": 8080}],
                     "readinessProbe": {"httpGet": {"path": "/", "port": 8080}, "periodSeconds": 1}}
        port, marker = 8080, "Directory listing for /"
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "labels": {"app": "web"}}, "spec": {"containers": [container]}}
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
               "spec": {"selector": {"app": "web"}, "ports": [{"name": "http", "port": 8000, "targetPort": "http"}]}}
    kubectl("apply", "-f", "-", input=json.dumps(pod))
    kubectl("apply", "-f", "-", input=json.dumps(service))
    wait_for(lambda: (p := get_or_none(kubectl, "pod", "web")) and pod_is_ready(p), 60, "pod web Ready", interval=0.1)
    wait_for(lambda: ready_addresses(kubectl), 20, "the Service's endpoint ready")
    return port, marker


def ready_addresses(kubectl):
    endpoints = get_or_none(kubectl, "endpoints", "web") or {}
    return [a["ip"] for s in endpoints.get("subsets") or [] for a in s.get("addresses") or []]


def test_pod_proxy_serves_the_page(raw, kubectl, ns, web):
    port, marker = web
    for name in ("web", f"web:{port}", f"http:web:{port}"):
        response = raw("GET", f"/api/v1/namespaces/{ns}/pods/{name}/proxy/")
        assert response.status_code == 200, response.text
        assert marker in response.text
    # kubectl reaches the same path.
    assert marker in kubectl("get", "--raw", f"/api/v1/namespaces/{ns}/pods/web/proxy/")
    # The path after /proxy and the method go through: the server's own 404.
    missing = raw("GET", f"/api/v1/namespaces/{ns}/pods/web/proxy/no/such/page?x=1")
    assert missing.status_code == 404
    assert "kind" not in missing.text


def test_service_proxy_reaches_a_ready_endpoint_and_stops_when_unready(raw, kubectl, ns, web):
    _, marker = web
    for name in ("web:http", "web:8000", "http:web:http"):
        response = raw("GET", f"/api/v1/namespaces/{ns}/services/{name}/proxy/")
        assert response.status_code == 200, (name, response.text)
        assert marker in response.text
    # As upstream: without a port the proxy looks for an unnamed port, and this Service's is named.
    assert_status(raw("GET", f"/api/v1/namespaces/{ns}/services/web/proxy/"), 503, reason="ServiceUnavailable",
                  message='no endpoints available for service "web"')
    assert marker in kubectl("get", "--raw", f"/api/v1/namespaces/{ns}/services/web:http/proxy/")
    # An unready pod is no endpoint: the proxy has nowhere to go.
    kubectl("annotate", "pod", "web", "kubelite.dev/ready=false")
    wait_for(lambda: not ready_addresses(kubectl), 20, "the endpoint unready")
    assert_status(raw("GET", f"/api/v1/namespaces/{ns}/services/web:http/proxy/"), 503, reason="ServiceUnavailable",
                  message='no endpoints available for service "web:http"')
    kubectl("annotate", "pod", "web", "kubelite.dev/ready-")
    wait_for(lambda: ready_addresses(kubectl), 20, "the endpoint ready again")
    assert raw("GET", f"/api/v1/namespaces/{ns}/services/web:http/proxy/").status_code == 200


def test_proxy_errors_are_upstreams_statuses(raw, ns, web):
    assert_status(raw("GET", f"/api/v1/namespaces/{ns}/services/web:9999/proxy/"), 503, reason="ServiceUnavailable",
                  message='no service port 9999 found for service "web"')
    assert_status(raw("GET", f"/api/v1/namespaces/{ns}/services/ghost/proxy/"), 404, reason="NotFound",
                  message='endpoints "ghost" not found')
    assert_status(raw("GET", f"/api/v1/namespaces/{ns}/pods/ghost/proxy/"), 404, reason="NotFound",
                  message='pods "ghost" not found')
    assert_status(raw("GET", f"/api/v1/namespaces/{ns}/pods/a:b:c:d/proxy/"), 400, reason="BadRequest",
                  message='invalid pod request "a:b:c:d"')
    refused = raw("GET", f"/api/v1/namespaces/{ns}/pods/web:81/proxy/")
    assert_status(refused, 503, reason="ServiceUnavailable")
    message = refused.json()["message"]
    assert message.startswith("error trying to reach service: dial tcp "), message
    assert message.endswith(":81: connect: connection refused"), message


def test_the_bare_proxy_path_redirects_to_its_slash(server, ns, web):
    response = requests.get(f"{server.url}/api/v1/namespaces/{ns}/pods/web/proxy?a=1", allow_redirects=False, timeout=10, **server.tls)
    assert response.status_code == 301
    assert response.headers["Location"] == f"/api/v1/namespaces/{ns}/pods/web/proxy/?a=1"


def test_discovery_lists_the_proxy_subresources(raw):
    resources = {r["name"]: r for r in raw("GET", "/api/v1").json()["resources"]}
    assert resources["pods/proxy"]["kind"] == "PodProxyOptions"
    assert resources["services/proxy"]["kind"] == "ServiceProxyOptions"
    assert sorted(resources["services/proxy"]["verbs"]) == ["create", "delete", "get", "patch", "update"]


UPGRADE_ECHO = """
import socket, threading
def handle(c):
    head = b""
    while b"\\r\\n\\r\\n" not in head:
        d = c.recv(4096)
        if not d:
            return
        head += d
    if b"upgrade: echo" not in head.lower():
        c.sendall(b"HTTP/1.1 400 Bad Request\\r\\nContent-Length: 10\\r\\nConnection: close\\r\\n\\r\\nno upgrade")
        c.close()
        return
    c.sendall(b"HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: echo\\r\\nConnection: Upgrade\\r\\n\\r\\n")
    while True:
        d = c.recv(65536)
        if not d:
            break
        c.sendall(d.upper())
    c.close()
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 9000))
s.listen(8)
while True:
    c, _ = s.accept()
    threading.Thread(target=handle, args=(c,), daemon=True).start()
"""


def test_upgrades_go_through_the_proxy(server, kubectl, ns):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "upgrader"},
           "spec": {"containers": [{"name": "c", "image": "python", "command": ["python3", "-c", UPGRADE_ECHO],
                                    "readinessProbe": {"tcpSocket": {"port": 9000}, "periodSeconds": 1}}]}}
    kubectl("apply", "-f", "-", input=json.dumps(pod))
    wait_for(lambda: (p := get_or_none(kubectl, "pod", "upgrader")) and pod_is_ready(p), 60, "pod upgrader Ready", interval=0.1)
    host, port = server.url.split("//")[1].split(":")

    def upgrade(protocol):
        s = server.connect(10)
        s.sendall(f"GET /api/v1/namespaces/{ns}/pods/upgrader:9000/proxy/ HTTP/1.1\r\nHost: {host}\r\n"
                  f"Connection: Upgrade\r\nUpgrade: {protocol}\r\n\r\n".encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = s.recv(4096)
            assert chunk, head
            head += chunk
        return s, head.decode()

    s, head = upgrade("echo")
    assert head.startswith("HTTP/1.1 101"), head
    assert "upgrade: echo" in head.lower(), head
    s.sendall(b"hello through the proxy")
    reply = b""
    while len(reply) < len(b"HELLO THROUGH THE PROXY"):
        chunk = s.recv(100)
        assert chunk
        reply += chunk
    assert reply == b"HELLO THROUGH THE PROXY"
    s.close()
    # A refused upgrade is passed on as the target answered it.
    s, head = upgrade("other")
    assert head.startswith("HTTP/1.1 400"), head
    s.close()
