"""Services reached for real (kube-proxy's nftables mode on the node): a ClusterIP and a NodePort from the
host, a ClusterIP from inside a pod (by name through the cluster DNS too) and from a pod to itself
(hairpin), always a ready endpoint: an unready pod stops being reached. The nftables table Kubelite owns
is removed when it stops and, after a crash (SIGKILL), at the next start. Needs root, nftables, redis and
nginx (or python3); CI runs as root."""

import json
import os
import re
import shutil
import signal
import subprocess

import pytest

from support import get_or_none, pod_is_ready, wait_for

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None or shutil.which("ip") is None,
                       reason="real pods need root, util-linux and iproute2 (pods are simulated otherwise)"),
    pytest.mark.skipif(shutil.which("nft") is None, reason="the service proxy needs nft (Debian package nftables)"),
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs the Debian package redis-server"),
]


def ready(kubectl, name):
    wait_for(lambda: (p := get_or_none(kubectl, "pod", name)) and pod_is_ready(p), 60, f"pod {name} Ready", interval=0.1)


def apply(kubectl, *objects):
    for o in objects:
        kubectl("apply", "-f", "-", input=json.dumps(o))


@pytest.fixture
def services(kubectl, ns):
    """An HTTP pod behind a NodePort Service `web`, a redis pod (`cache`) behind a ClusterIP Service `redis`."""
    if shutil.which("nginx"):
        web = {"name": "web", "image": "nginx", "ports": [{"name": "http", "containerPort": 80}]}
        marker = "Welcome to nginx!"
    else:
        web = {"name": "web", "image": "python", "command": ["python3", "-m", "http.server", "80", "--directory", "/etc"],
               "ports": [{"name": "http", "containerPort": 80}]}
        marker = "Directory listing for /"
    web["readinessProbe"] = {"tcpSocket": {"port": 80}, "periodSeconds": 1}
    apply(kubectl,
          {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "labels": {"app": "web"}}, "spec": {"containers": [web]}},
          {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "cache", "labels": {"app": "redis"}},
           "spec": {"containers": [{"name": "redis", "image": "redis"}]}},
          {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
           "spec": {"type": "NodePort", "selector": {"app": "web"}, "ports": [{"name": "http", "port": 8000, "targetPort": "http"}]}},
          {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "redis"},
           "spec": {"selector": {"app": "redis"}, "ports": [{"port": 6379}]}})
    ready(kubectl, "web")
    ready(kubectl, "cache")
    web_svc, redis_svc = kubectl.json("get", "service", "web"), kubectl.json("get", "service", "redis")
    return {"marker": marker, "web_ip": web_svc["spec"]["clusterIP"], "node_port": web_svc["spec"]["ports"][0]["nodePort"],
            "redis_ip": redis_svc["spec"]["clusterIP"]}


def curl(url, timeout=5):
    return subprocess.run(["curl", "-s", "-m", str(timeout), url], capture_output=True, text=True)


def host_address():
    """A non-loopback address of this host (NodePorts answer on every local address, not 127.0.0.1, as
    kube-proxy's nftables mode)."""
    out = subprocess.run(["ip", "-4", "-o", "addr", "show", "scope", "global"], capture_output=True, text=True).stdout
    addresses = [m.group(1) for m in re.finditer(r"inet (\d+\.\d+\.\d+\.\d+)/", out)]
    assert addresses, out
    return addresses[0]


def test_cluster_ip_and_node_port_from_the_host(services):
    marker = services["marker"]
    wait_for(lambda: marker in curl(f"http://{services['web_ip']}:8000/").stdout, 20, "the ClusterIP answering")
    assert marker in curl(f"http://{host_address()}:{services['node_port']}/").stdout
    result = subprocess.run(["redis-cli", "-h", services["redis_ip"], "ping"], capture_output=True, text=True, timeout=20)
    assert result.stdout.strip() == "PONG", result
    # Several connections spread over one endpoint, each its own connection.
    for i in range(5):
        assert marker in curl(f"http://{services['web_ip']}:8000/?n={i}").stdout


def test_cluster_ip_from_inside_pods_and_hairpin(kubectl, services):
    kubectl("run", "client", "--image=busybox", "--", "sleep", "3600")
    ready(kubectl, "client")
    assert services["marker"] in kubectl("exec", "client", "--", "wget", "-qO-", "-T", "5", f"http://{services['web_ip']}:8000/")
    # By name, through the cluster DNS.
    assert services["marker"] in kubectl("exec", "client", "--", "wget", "-qO-", "-T", "5", "http://web:8000/")
    # From the redis pod to its own Service (by name and by address): the connection comes back to the
    # pod itself (hairpin).
    assert kubectl("exec", "cache", "--", "redis-cli", "-h", "redis", "ping").strip() == "PONG"
    assert kubectl("exec", "cache", "--", "redis-cli", "-h", services["redis_ip"], "ping").strip() == "PONG"


def test_an_unready_endpoint_is_not_reached(kubectl, services):
    url = f"http://{services['web_ip']}:8000/"
    wait_for(lambda: services["marker"] in curl(url).stdout, 20, "the ClusterIP answering")
    kubectl("annotate", "pod", "web", "kubelite.dev/ready=false")
    # No ready endpoint: the connection is refused at once (curl exit 7), as kube-proxy rejects it.
    wait_for(lambda: curl(url).returncode == 7, 20, "the ClusterIP refusing connections")
    assert curl(f"http://{host_address()}:{services['node_port']}/").returncode == 7
    kubectl("annotate", "pod", "web", "kubelite.dev/ready-")
    wait_for(lambda: services["marker"] in curl(url).stdout, 20, "the ClusterIP answering again")


def kubelite_tables():
    out = subprocess.run(["nft", "list", "tables"], capture_output=True, text=True).stdout
    return set(re.findall(r"table ip (kubelite-[0-9a-f]{8})", out))


def test_the_rules_are_removed_on_stop_and_after_a_crash(start_server, tmp_path):
    before = kubelite_tables()
    first = start_server("--data-dir", tmp_path, "--cluster-cidr", "10.127.80.0/20")
    table = wait_for(lambda: kubelite_tables() - before, 30, "the service proxy's table")
    assert len(table) == 1
    (table,) = table
    assert "10.96.0.1" in subprocess.run(["nft", "list", "table", "ip", table], capture_output=True, text=True).stdout
    first.process.send_signal(signal.SIGKILL)  # a crash: the table stays behind
    first.process.wait(timeout=10)
    assert table in kubelite_tables()

    again = start_server("--data-dir", tmp_path, "--cluster-cidr", "10.127.80.0/20")
    # The next start under the same data dir replaces it (same name) and its stop removes it.
    wait_for(lambda: table in kubelite_tables(), 30, "the table of the new run")
    assert again.stop() == 0
    assert table not in kubelite_tables(), "the table outlived kubelite's shutdown"

    # A crashed run's table is removed even when the next run programs nothing (pods simulated).
    third = start_server("--data-dir", tmp_path, "--cluster-cidr", "10.127.80.0/20")
    wait_for(lambda: table in kubelite_tables(), 30, "the table of the third run")
    third.process.send_signal(signal.SIGKILL)
    third.process.wait(timeout=10)
    fourth = start_server("--data-dir", tmp_path, "--cluster-cidr", "10.127.80.0/20", "--pod-runtime", "simulated")
    wait_for(lambda: table not in kubelite_tables(), 30, "the crashed run's table to be removed")
    assert fourth.stop() == 0


def test_a_crashed_in_memory_runs_rules_are_removed_by_any_later_run(start_server, tmp_path):
    # An --in-memory run's table is named for a directory no later run uses: it carries its owner's process
    # id instead, and the next start of any Kubelite removes the tables whose owner is gone.
    before = kubelite_tables()
    lost = start_server("--cluster-cidr", "10.127.80.0/20")
    (table,) = wait_for(lambda: kubelite_tables() - before, 30, "the in-memory run's table")
    owner = subprocess.run(["nft", "list", "table", "ip", table], capture_output=True, text=True).stdout
    assert f'comment "kubelite pid {lost.process.pid}"' in owner, owner
    lost.process.send_signal(signal.SIGKILL)
    lost.process.wait(timeout=10)
    assert table in kubelite_tables()
    later = start_server("--data-dir", tmp_path / "elsewhere", "--pod-runtime", "simulated",
                         "--cluster-cidr", "10.127.80.0/20")
    wait_for(lambda: table not in kubelite_tables(), 30, "the crashed run's table to be removed")
    assert f"removed the service rules (nftables table {table}) of a Kubelite that is gone" in later.log_path.read_text()
    assert later.stop() == 0
