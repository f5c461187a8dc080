"""What `--bind-address` exposes (issues 12 and 17): kubelite names the addresses it really listens on; beyond
loopback it refuses plain HTTP (`--port`) and warns when `--authorization-mode AlwaysAllow` lets anyone do
anything over HTTPS; the cluster DNS binds where the API binds."""
import re
import socket
import subprocess

from support import Dig, cluster_dns, kubelite_binary, wait_for

WARNING = ("is not a loopback address and --authorization-mode AlwaysAllow lets every request, anonymous ones "
           "included, read and change every object")


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


def test_wildcard_bind_lists_every_interface_address_without_a_warning_under_rbac(start_server):
    private = start_server("--bind-address", "0.0.0.0")
    port = int(private.url.rsplit(":", 1)[1])
    listening = log_line(private, r"listening on ([0-9.:, ]+)").group(1)
    endpoints = {e.strip() for e in listening.split(",") if e.strip()}
    assert endpoints == {f"{a}:{port}" for a in host_ipv4_addresses()}, listening
    assert f"127.0.0.1:{port}" in endpoints
    assert private.raw("GET", "/readyz").status_code == 200
    assert "is not a loopback address" not in private.log_path.read_text(errors="replace")
    dns = cluster_dns(private)
    assert dns.address == "0.0.0.0", "the cluster DNS must bind where the API binds"


def test_wildcard_bind_with_always_allow_warns(start_server):
    private = start_server("--bind-address", "0.0.0.0", "--authorization-mode", "AlwaysAllow")
    warning = log_line(private, r"warning.*--bind-address 0\.0\.0\.0 " + re.escape(WARNING) + r".*")
    assert "Secrets" in warning.group(0)


def test_plain_http_beyond_loopback_is_refused_at_start():
    result = subprocess.run([kubelite_binary(), "serve", "--in-memory", "--port", "0", "--bind-address", "0.0.0.0",
                             "--dns-port=-1"], capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    assert ("Error: --port serves plain HTTP, without authentication, on a loopback --bind-address only "
            "(127.0.0.1), not 0.0.0.0; use --secure-port") in result.stderr


def test_loopback_bind_logs_its_address_without_a_warning(start_server):
    private = start_server()
    port = int(private.url.rsplit(":", 1)[1])
    assert log_line(private, r"listening on ([0-9.:, ]+)").group(1).strip() == f"127.0.0.1:{port}"
    assert "is not a loopback address" not in private.log_path.read_text(errors="replace")


def test_cluster_dns_binds_where_the_api_binds(start_server):
    # 127.0.0.2 is loopback (no warning) but not 127.0.0.1: a server listening elsewhere is refused there
    private = start_server("--bind-address", "127.0.0.2")
    assert private.url.startswith("https://127.0.0.2:")
    dns = cluster_dns(private)
    assert dns.address == "127.0.0.2"
    assert Dig(dns).short("kubernetes.default.svc.cluster.local") == ["10.96.0.1"]
    api_port = int(private.url.rsplit(":", 1)[1])
    assert refuses_tcp("127.0.0.1", api_port), "the API listens beyond its bind address"
    assert refuses_tcp("127.0.0.1", dns.port), "the cluster DNS listens beyond the API's bind address"
    assert "is not a loopback address" not in private.log_path.read_text(errors="replace")


def test_in_a_container_the_log_says_how_to_copy_the_kubeconfig_out(start_server, monkeypatch):
    # The docker image writes the admin kubeconfig into its volume; it is of use only on the host.
    monkeypatch.setenv("container", "docker")
    private = start_server()
    line = log_line(private, r"notice.*the cluster-admin kubeconfig is (\S+) in this container; "
                             r"from the host: docker cp CONTAINER:(\S+) \./kubeconfig")
    assert line.group(1) == line.group(2) == str(private.kubeconfig)
