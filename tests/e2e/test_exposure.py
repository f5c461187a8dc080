"""What `--bind-address` exposes (issue 12, item 9): beyond loopback kubelite warns at start that the API is
unauthenticated and names the addresses it really listens on, and the cluster DNS binds where the API binds."""
import re
import socket
import subprocess

from support import Dig, cluster_dns, wait_for

WARNING = "is not a loopback address: the Kubernetes API is served without authentication or authorization"


def log_line(server, pattern):
    """The first match of `pattern` in the server's log (stdout and stderr), waited for."""
    return wait_for(lambda: re.search(pattern, server.log_path.read_text(errors="replace")), 10,
                    f"a log line matching {pattern!r} in {server.log_path}")


def host_ipv4_addresses():
    """The host's up interfaces' IPv4 addresses, as `ip` lists them."""
    out = subprocess.run(["ip", "-o", "-4", "addr", "show", "up"], capture_output=True, text=True, check=True).stdout
    return {m.group(1) for m in re.finditer(r"\binet ([0-9.]+)/", out)}


def refuses_tcp(address, port):
    with socket.socket() as s:
        s.settimeout(2)
        return s.connect_ex((address, port)) != 0


def test_wildcard_bind_warns_and_lists_every_interface_address(start_server):
    private = start_server("--bind-address", "0.0.0.0")
    port = int(private.url.rsplit(":", 1)[1])
    warning = log_line(private, r"warning.*--bind-address 0\.0\.0\.0 " + re.escape(WARNING) + r".*")
    assert "Secrets" in warning.group(0)
    listening = log_line(private, r"listening on ([0-9.:, ]+)").group(1)
    endpoints = {e.strip() for e in listening.split(",") if e.strip()}
    assert endpoints == {f"{a}:{port}" for a in host_ipv4_addresses()}, listening
    assert f"127.0.0.1:{port}" in endpoints
    assert private.raw("GET", "/readyz").status_code == 200
    dns = cluster_dns(private)
    assert dns.address == "0.0.0.0", "the cluster DNS must bind where the API binds"


def test_loopback_bind_logs_its_address_without_a_warning(start_server):
    private = start_server()
    port = int(private.url.rsplit(":", 1)[1])
    assert log_line(private, r"listening on ([0-9.:, ]+)").group(1).strip() == f"127.0.0.1:{port}"
    assert "without authentication" not in private.log_path.read_text(errors="replace")


def test_cluster_dns_binds_where_the_api_binds(start_server):
    # 127.0.0.2 is loopback (no warning) but not 127.0.0.1: a server listening elsewhere is refused there
    private = start_server("--bind-address", "127.0.0.2")
    assert private.url.startswith("http://127.0.0.2:")
    dns = cluster_dns(private)
    assert dns.address == "127.0.0.2"
    assert Dig(dns).short("kubernetes.default.svc.cluster.local") == ["10.96.0.1"]
    api_port = int(private.url.rsplit(":", 1)[1])
    assert refuses_tcp("127.0.0.1", api_port), "the API listens beyond its bind address"
    assert refuses_tcp("127.0.0.1", dns.port), "the cluster DNS listens beyond the API's bind address"
    assert "without authentication" not in private.log_path.read_text(errors="replace")
