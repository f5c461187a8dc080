"""The pod network with pods that really run (root on Linux; the seed story is in test_seed_story.py): each pod has
its own address on a bridge of the host, /etc/hosts and /etc/resolv.conf as the kubelet writes them, the
cluster DNS on its gateway. The bridge is removed when
Kubelite stops and after a crash. Needs root, util-linux and iproute2; CI runs as root."""

import ipaddress
import json
import os
import re
import shutil
import signal
import socket
import subprocess

import pytest

from support import get_or_none, pod_is_ready, wait_for

needs_root = pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None or shutil.which("ip") is None,
                                reason="real pods need root, util-linux and iproute2 (pods are simulated otherwise)")
needs_redis = pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs the Debian package redis-server")

pytestmark = [needs_root, needs_redis]


def running_pod(kubectl, name, timeout=45):
    return wait_for(lambda: (p := get_or_none(kubectl, "pod", name)) and pod_is_ready(p) and p, timeout,
                    f"pod {name} Ready", interval=0.1)


def test_hosts_resolv_conf_and_hostname_are_the_kubelets(kubectl, ns):
    pod = {
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "files"},
        "spec": {
            "hostname": "web-0", "subdomain": "web",
            "hostAliases": [{"ip": "10.1.2.3", "hostnames": ["foo.remote", "bar.remote"]}],
            "dnsConfig": {"searches": ["example.test"], "options": [{"name": "ndots", "value": "2"}, {"name": "edns0"}]},
            "containers": [{"name": "c", "image": "busybox", "command": ["sleep", "3600"]}],
        },
    }
    kubectl("apply", "-f", "-", input=json.dumps(pod))
    ip = running_pod(kubectl, "files")["status"]["podIP"]
    hosts = kubectl("exec", "files", "--", "cat", "/etc/hosts")
    assert hosts == ("# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
                     "fe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n"
                     f"{ip}\tweb-0.web.{ns}.svc.cluster.local\tweb-0\n"
                     "\n# Entries added by HostAliases.\n10.1.2.3\tfoo.remote\tbar.remote\n"), hosts
    resolv = kubectl("exec", "files", "--", "cat", "/etc/resolv.conf").splitlines()
    assert resolv[0].startswith(f"search {ns}.svc.cluster.local svc.cluster.local cluster.local"), resolv
    assert resolv[0].endswith(" example.test"), resolv
    gateway = str(ipaddress.ip_network(ip + "/24", strict=False).network_address + 1)
    assert resolv[1:] == [f"nameserver {gateway}", "options ndots:2 edns0"], resolv
    assert kubectl("exec", "files", "--", "hostname") == "web-0\n"
    assert kubectl("exec", "files", "--", "cat", "/etc/hostname") == "web-0\n"
    assert kubectl("exec", "files", "--", "hostname", "-f") == f"web-0.web.{ns}.svc.cluster.local\n"


def test_dns_policy_none_uses_only_the_pods_dns_config(kubectl, ns):
    pod = {
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "custom-dns"},
        "spec": {
            "dnsPolicy": "None",
            "dnsConfig": {"nameservers": ["192.0.2.53"], "searches": ["a.test"]},
            "containers": [{"name": "c", "image": "busybox", "command": ["sleep", "3600"]}],
        },
    }
    kubectl("apply", "-f", "-", input=json.dumps(pod))
    running_pod(kubectl, "custom-dns")
    assert kubectl("exec", "custom-dns", "--", "cat", "/etc/resolv.conf") == "search a.test\nnameserver 192.0.2.53\n"


def test_the_host_reaches_a_pod_at_its_address(kubectl, ns):
    kubectl("run", "cache", "--image=redis")
    ip = running_pod(kubectl, "cache")["status"]["podIP"]

    def pong():
        try:
            with socket.create_connection((ip, 6379), timeout=2) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16) == b"+PONG\r\n"
        except OSError:
            return False

    wait_for(pong, 15, f"redis at {ip}:6379 to answer PING from the host", interval=0.1)


def bridge_of(cidr):
    """(bridge name, ifindex) of the interface holding the first gateway of `cidr`, or None."""
    gateway = str(ipaddress.ip_network(cidr).network_address + 1)
    out = subprocess.run(["ip", "-j", "-4", "addr", "show"], capture_output=True, text=True, check=True).stdout
    for link in json.loads(out):
        if any(a.get("local") == gateway for a in link.get("addr_info", [])):
            return link["ifname"], link["ifindex"]
    return None


def link_exists(name):
    return subprocess.run(["ip", "link", "show", "dev", name], capture_output=True).returncode == 0


def test_the_pod_network_is_removed_on_stop_and_after_a_crash(start_server, tmp_path):
    first = start_server("--data-dir", tmp_path, "--cluster-cidr", "10.127.16.0/20")
    subprocess.run(["kubectl", "--kubeconfig", str(first.kubeconfig), "run", "r", "--image=redis"], check=True,
                   capture_output=True)
    bridge = wait_for(lambda: bridge_of("10.127.16.0/20"), 30, "the pod network's bridge")
    assert re.fullmatch(r"kl-[0-9a-f]{8}", bridge[0]), bridge
    first.process.send_signal(signal.SIGKILL)  # a crash: the bridge stays behind
    first.process.wait(timeout=10)
    assert link_exists(bridge[0])

    # The next start under the same data dir removes it; with the pod running again it is a new bridge.
    again = start_server("--data-dir", tmp_path, "--cluster-cidr", "10.127.32.0/20")
    wait_for(lambda: bridge_of("10.127.16.0/20") is None, 30, "the crashed run's bridge to be removed")
    rebuilt = wait_for(lambda: bridge_of("10.127.32.0/20"), 30, "the pod network's bridge again")
    assert rebuilt[0] == bridge[0], "the bridge is named for the data dir"
    assert again.stop() == 0
    assert not link_exists(bridge[0]), "the bridge outlived kubelite's shutdown"


def test_a_crashed_in_memory_runs_bridge_is_removed_by_the_next_in_memory_run(start_server):
    first = start_server("--cluster-cidr", "10.127.48.0/20")
    subprocess.run(["kubectl", "--kubeconfig", str(first.kubeconfig), "run", "r", "--image=redis"], check=True,
                   capture_output=True)
    name, _ = wait_for(lambda: bridge_of("10.127.48.0/20"), 30, "the pod network's bridge")
    first.process.send_signal(signal.SIGKILL)
    first.process.wait(timeout=10)
    start_server("--cluster-cidr", "10.127.64.0/20")
    wait_for(lambda: not link_exists(name), 30, "the crashed in-memory run's bridge to be removed")


def test_a_cluster_cidr_in_use_makes_pods_simulated_and_says_why(start_server, server):
    taken = server.cluster_cidr
    kubectl = ["kubectl", "--kubeconfig"]
    # The session server's pods may not have built its bridge yet: run one so that the network exists.
    subprocess.run([*kubectl, str(server.kubeconfig), "run", "net-probe", "-n", "default", "--image=busybox", "--",
                    "sleep", "3600"], capture_output=True)
    wait_for(lambda: bridge_of(taken), 30, "the session server's bridge")
    other = start_server("--cluster-cidr", taken)
    subprocess.run([*kubectl, str(other.kubeconfig), "run", "p", "--image=busybox", "--", "sleep", "3600"],
                   check=True, capture_output=True)

    def simulated_event():
        out = subprocess.run([*kubectl, str(other.kubeconfig), "get", "events", "-o", "json"], capture_output=True,
                             text=True, check=True).stdout
        return [e for e in json.loads(out)["items"] if e["reason"] == "Simulated"]

    event = wait_for(simulated_event, 30, "a Simulated event")[0]
    assert f"a free pod network: {taken} overlaps" in event["message"], event["message"]
    subprocess.run([*kubectl, str(server.kubeconfig), "delete", "pod", "net-probe", "-n", "default", "--wait=false"],
                   capture_output=True)


def test_bad_cluster_cidrs_stop_startup_with_the_reason(tmp_path):
    from support import kubelite_binary
    for value, message in [("10.244.0.0", "is not an IPv4 CIDR"), ("10.244.0.0/25", "the prefix length must be at most 24"),
                           ("300.1.0.0/16", "is not an IPv4 CIDR")]:
        result = subprocess.run([kubelite_binary(), "serve", "--in-memory", "--port", "0", "--dns-port=-1",
                                 "--cluster-cidr", value], capture_output=True, text=True, timeout=30)
        assert result.returncode == 64, result.stderr
        assert message in result.stderr, result.stderr
    result = subprocess.run([kubelite_binary(), "serve", "--in-memory", "--port", "0", "--dns-port=-1", "--nodes", "3",
                             "--cluster-cidr", "10.9.0.0/23"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 64
    assert "has room for 2 nodes' /24 subnets, not 3" in result.stderr


def test_each_pod_has_its_own_root_over_the_hosts_files(kubectl, ns):
    mount_point = f"/kubelite-e2e-{ns[-6:]}"
    pod = {
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "writer"},
        "spec": {
            "volumes": [{"name": "scratch", "emptyDir": {}}],
            "containers": [{"name": "c", "image": "busybox", "command": ["sleep", "3600"],
                            "volumeMounts": [{"name": "scratch", "mountPath": mount_point}]}],
        },
    }
    kubectl("apply", "-f", "-", input=json.dumps(pod))
    kubectl("run", "reader", "--image=busybox", "--", "sleep", "3600")
    running_pod(kubectl, "writer")
    running_pod(kubectl, "reader")
    marker = f"/etc/kubelite-e2e-{ns[-6:]}"
    kubectl("exec", "writer", "--", "sh", "-c", f"echo mine > {marker} && echo kept > {mount_point}/file")
    assert kubectl("exec", "writer", "--", "cat", marker) == "mine\n"
    assert kubectl.run("exec", "reader", "--", "cat", marker).returncode != 0, "another pod does not see it"
    assert not os.path.exists(marker), "the host's /etc is untouched"
    assert not os.path.exists(mount_point), "a volume's mount point is made in the pod's root, not the host's"
    assert kubectl("exec", "writer", "--", "cat", f"{mount_point}/file") == "kept\n"
    assert int(kubectl("exec", "writer", "--", "sh", "-c", "ls /proc | grep -c '^[0-9]'")) < 10, \
        "/proc shows the pod's few processes, not the host's"
