"""What a hostile or careless client can do at the HTTP level: request framing a proxy in front could
read differently is refused before its body (and the smuggled request in it never runs), and idle
sockets up to the open-file limit no longer lock every other client out."""

import json
import os
import socket
import ssl
import time

import pytest
import requests

from support import kubelite_binary, wait_for


def exchange(server, data, timeout=10):
    """Sends raw bytes and reads until the server closes; fails if it does not close within `timeout`."""
    with server.connect(timeout) as sock:
        sock.sendall(data)
        answer = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except ssl.SSLEOFError:  # closed without TLS close_notify: the end of the answer all the same
                break
            if not chunk:
                break
            answer += chunk
        return answer


def assert_refused(answer, code, reason):
    head, _, payload = answer.partition(b"\r\n\r\n")
    assert head.startswith(f"HTTP/1.1 {code} ".encode()), answer[:300]
    assert b"\r\nconnection: close" in head.lower(), head
    # One answer only: a smuggled second request would have added its own after this JSON.
    status = json.loads(payload)
    assert (status["kind"], status["status"], status["code"], status["reason"]) == ("Status", "Failure", code, reason), status


def test_request_smuggled_behind_transfer_encoding_and_content_length_is_not_run(server, raw, ns):
    path = f"/api/v1/namespaces/{ns}/configmaps"
    assert raw("POST", path, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "victim"}}).status_code == 201
    smuggled = f"DELETE {path}/victim HTTP/1.1\r\nHost: x\r\n\r\n"
    request = (f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\n"
               f"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n{smuggled}")
    assert_refused(exchange(server, request.encode()), 400, "BadRequest")
    assert raw("GET", f"{path}/victim").status_code == 200


@pytest.mark.parametrize("head, body, code, reason", [
    ("Content-Length: 2\r\nContent-Length: 60", "{}", 400, "BadRequest"),
    ("Transfer-Encoding : chunked", "2\r\n{}\r\n0\r\n\r\n", 400, "BadRequest"),
    ("Transfer-Encoding: gzip", "abc", 501, "NotImplemented"),
    ("Content-Length: 999999999999", "abc", 413, "RequestEntityTooLarge"),
], ids=["two-lengths", "space-before-colon", "unknown-coding", "huge-length"])
def test_ambiguous_or_unservable_framing_is_refused_at_once(server, ns, head, body, code, reason):
    request = f"POST /api/v1/namespaces/{ns}/configmaps HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n{head}\r\n\r\n{body}"
    started = time.monotonic()
    assert_refused(exchange(server, request.encode()), code, reason)
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("serving", [(), ("--port", "0")], ids=["https", "http"])
def test_idle_sockets_at_the_open_file_limit_do_not_lock_clients_out(start_server, monkeypatch, tmp_path, serving):
    # 256 descriptors (soft and hard): the server keeps 128 connections and the rest of the limit for
    # itself; 200 idle sockets fill it, and each wave is closed after the 2 s idle timeout.
    wrapper = tmp_path / "kubelite-256-files"
    wrapper.write_text(f'#!/bin/sh\nulimit -n 256\nexec "{kubelite_binary()}" "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("KUBELITE_BIN", str(wrapper))
    # Over HTTPS these sockets never start a handshake: the acceptor holds them and closes them at the
    # deadline itself (libmicrohttpd 0.9.75 would hold them for good). Over HTTP libmicrohttpd's idle timer does.
    server = start_server("--connection-idle-timeout", "2", *serving)
    host, port = server.url.split("://")[1].split(":")
    idle = [socket.create_connection((host, int(port)), timeout=10) for _ in range(200)]
    try:
        started = time.monotonic()
        assert requests.get(server.url + "/readyz", timeout=20, **server.tls).status_code == 200
        waited = time.monotonic() - started
        print(f"readyz answered after {waited:.2f} s behind 200 idle sockets")
        assert waited < 15
        assert "--max-connections" not in server.log_tail(200)  # no warning: the fitted limit was used
    finally:
        for sock in idle:
            sock.close()
    assert server.is_ready()


def open_descriptors(server):
    return len(os.listdir(f"/proc/{server.process.pid}/fd"))


def test_watches_whose_clients_hang_up_release_their_descriptors_at_once(start_server):
    # Simulated pods: the process runtime's start-up checks open and close pipes of their own,
    # which would move the baseline.
    server = start_server("--pod-runtime", "simulated")
    baseline = open_descriptors(server)
    watches = []
    for _ in range(50):
        sock = server.connect(10)
        sock.sendall(b"GET /api/v1/namespaces/default/configmaps?watch=1 HTTP/1.1\r\nHost: x\r\n\r\n")
        watches.append(sock)
    for sock in watches:
        assert sock.recv(4096).startswith(b"HTTP/1.1 200 "), "watch not started"
    assert open_descriptors(server) >= baseline + 45  # one of the baseline's may be a closing keep-alive
    started = time.monotonic()
    for sock in watches:
        sock.close()
    wait_for(lambda: open_descriptors(server) <= baseline, 2, "the watches' descriptors to be released")
    print(f"50 hung-up watches released their descriptors in {(time.monotonic() - started) * 1000:.0f} ms")
