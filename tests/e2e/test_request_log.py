"""The request log as kube-apiserver's httplog writes it, seen from a real client, and libmicrohttpd's own
messages kept off stderr (they go through the logger, at debug for a client's malformed request)."""

import re

from kubernetes import client as k8s_client

from support import wait_for

LINE = re.compile(r'"HTTP" verb="(?P<verb>[A-Z]+)" URI="(?P<uri>[^"]*)" latency="(?P<latency>[^"]+)" '
                  r'userAgent="(?P<ua>[^"]*)" audit-ID="(?P<audit>[0-9a-f-]{36})" srcIP="(?P<ip>[^"]*)" resp=(?P<resp>\d+)')


def request_lines(server):
    return [m.groupdict() for m in map(LINE.search, server.log_path.read_text(errors="replace").splitlines()) if m]


def test_slow_requests_are_logged_with_client_and_user_agent(start_server):
    # A threshold of 0 makes every request "slow": each gets its info line.
    server = start_server("--request-log-threshold", "0")
    k8s_client.CoreV1Api(server.api_client()).list_namespaced_config_map("default", limit=3)

    def logged():
        return [line for line in request_lines(server) if line["uri"].startswith("/api/v1/namespaces/default/configmaps")]

    wait_for(lambda: logged(), 5, "the LIST's request log line")
    line = logged()[0]
    assert line["verb"] == "LIST" and line["uri"] == "/api/v1/namespaces/default/configmaps?limit=3"
    assert line["resp"] == "200"
    assert line["ua"].startswith("OpenAPI-Generator/"), line
    assert re.fullmatch(r"127\.0\.0\.1:\d+", line["ip"]), line


def test_default_level_keeps_normal_requests_and_client_errors_quiet(start_server):
    server = start_server()
    assert server.raw("GET", "/api/v1/namespaces/default/configmaps/missing").status_code == 404
    with server.connect(5) as sock:
        sock.sendall(b"POST /api HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n")
        assert sock.recv(64).startswith(b"HTTP/1.1 400")
    assert server.raw("GET", "/readyz").status_code == 200
    log = server.log_path.read_text(errors="replace")
    assert "configmaps/missing" not in log, log
    # libmicrohttpd's message about the malformed request is a debug line of the logger, never raw stderr.
    assert "Content-Length" not in log, log


def test_libmicrohttpd_messages_go_through_the_logger(start_server):
    server = start_server("--log-level", "debug")
    with server.connect(5) as sock:
        sock.sendall(b"POST /api HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n")
        assert sock.recv(64).startswith(b"HTTP/1.1 400")

    def message_lines():
        return [line for line in server.log_path.read_text(errors="replace").splitlines() if "Content-Length" in line]

    wait_for(message_lines, 5, "libmicrohttpd's message in the log")
    for line in message_lines():
        assert re.match(r"\d{4}-\d\d-\d\dT\S+ debug .*libmicrohttpd: ", line), line
