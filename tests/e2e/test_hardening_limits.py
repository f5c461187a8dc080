"""Hardening (issue 12, items 1 and 5): reads for a future resourceVersion hold no serving thread, large
lists (JSON, YAML, Table) are streamed to real clients, and the max-in-flight limits answer 429 as kube-apiserver does."""

import threading
import time

import requests

from support import assert_status, wait_for, without_root_ca


def configmap(name, size):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"k": "v" * size}}


def test_a_large_list_is_streamed_and_clients_read_it_whole(server, ns, clients, kubectl):
    """48 ConfigMaps of 32 KiB (1.5 MiB): the JSON list is chunked; the Python client and kubectl read it all."""
    names = [f"cm-{i:03d}" for i in range(48)]
    for name in names:
        assert server.raw("POST", f"/api/v1/namespaces/{ns}/configmaps", configmap(name, 32 * 1024)).status_code == 201
    raw = server.raw("GET", f"/api/v1/namespaces/{ns}/configmaps")
    assert raw.status_code == 200
    assert raw.headers.get("Transfer-Encoding") == "chunked"
    assert "Content-Length" not in raw.headers
    assert without_root_ca([item["metadata"]["name"] for item in raw.json()["items"]]) == names
    listed = clients.core.list_namespaced_config_map(ns)
    assert without_root_ca([item.metadata.name for item in listed.items]) == names
    assert int(listed.metadata.resource_version) > 0
    assert without_root_ca([item["metadata"]["name"] for item in kubectl.json("get", "configmaps", "-o", "json")["items"]]) == names
    # YAML and Table lists are streamed too: kubectl's table and a YAML read see every item.
    yaml_list = server.raw("GET", f"/api/v1/namespaces/{ns}/configmaps", headers={"Accept": "application/yaml"})
    assert yaml_list.headers.get("Transfer-Encoding") == "chunked"
    assert yaml_list.text.startswith("apiVersion: v1\nitems:\n- apiVersion: v1\n"), yaml_list.text[:100]
    assert yaml_list.text.count("\n- apiVersion: v1\n") == len(names) + 1  # and kube-root-ca.crt
    table = server.raw("GET", f"/api/v1/namespaces/{ns}/configmaps",
                       headers={"Accept": "application/json;as=Table;v=v1;g=meta.k8s.io"})
    assert table.headers.get("Transfer-Encoding") == "chunked"
    shown = kubectl("get", "configmaps", "--no-headers").splitlines()
    assert without_root_ca([line.split()[0] for line in shown]) == names


def test_future_resource_versions_leave_readyz_answering(start_server):
    """Eight clients looping on a future resourceVersion (each held 3 s) on a server with two threads."""
    private = start_server("--threads", "2")
    path = "/api/v1/namespaces/default/configmaps"
    stop = threading.Event()
    answers = []

    def flood(i):
        target = f"{path}/x?resourceVersion=99999999999" if i % 2 else f"{path}?resourceVersion=99999999999"
        while not stop.is_set():
            answers.append(requests.get(private.url + target, timeout=10, **private.tls))

    threads = [threading.Thread(target=flood, args=(i,), daemon=True) for i in range(8)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(0.5)  # lets the flood reach the server; the checks below do not depend on it
        for _ in range(5):
            start = time.monotonic()
            assert requests.get(private.url + "/readyz", timeout=2, **private.tls).status_code == 200
            assert requests.get(private.url + path, timeout=2, **private.tls).status_code == 200
            assert time.monotonic() - start < 1.0
        wait_for(lambda: len(answers) > 0, 10, "a flooding request to time out")
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
    status = assert_status(answers[0], 504, "Timeout")
    assert status["message"].startswith("Timeout: Too large resource version: 99999999999, current: ")
    assert status["details"] == {"causes": [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}],
                                 "retryAfterSeconds": 1}
    assert answers[0].headers.get("Retry-After") == "1"


def test_reads_beyond_max_requests_inflight_are_too_many_requests(start_server):
    """One read held in flight (a future resourceVersion, held 3 s, asked again as soon as it ends) fills
    --max-requests-inflight=1."""
    private = start_server("--max-requests-inflight", "1")
    path = "/api/v1/namespaces/default/configmaps"
    stop = threading.Event()

    def hold():
        while not stop.is_set():
            requests.get(private.url + path + "?resourceVersion=99999999999", timeout=10, **private.tls)

    held = threading.Thread(target=hold, daemon=True)
    held.start()
    refused = []

    def refused_once():
        response = requests.get(private.url + path, timeout=5, **private.tls)
        if response.status_code == 429:
            refused.append(response)
        return bool(refused)

    try:
        wait_for(refused_once, 10, "a read to be refused while another is in flight")
    finally:
        stop.set()
    assert_status(refused[0], 429, "TooManyRequests", "Too many requests, please try again later.")
    assert refused[0].json()["details"] == {"retryAfterSeconds": 1}
    assert refused[0].headers.get("Retry-After") == "1"
    assert requests.get(private.url + "/readyz", timeout=5, **private.tls).status_code == 200
    assert requests.post(private.url + path, json=configmap("w", 1), timeout=5, **private.tls).status_code == 201, "writes count apart"
    held.join(timeout=10)
    assert not held.is_alive()
    assert requests.get(private.url + path, timeout=5, **private.tls).status_code == 200
