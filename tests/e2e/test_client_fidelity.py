"""What real clients noticed: a replace that changes nothing must not move metadata.generation, the server's
YAML must read back with the same types in PyYAML, and the binary reports the version /version serves."""

import subprocess

import yaml

from support import kubelite_binary, load_manifest


def test_replace_unchanged_statefulset_keeps_generation(server, clients, ns):
    document = load_manifest("redis-sts.yml")
    document["spec"]["replicas"] = 0
    created = clients.apps.create_namespaced_stateful_set(ns, document)
    assert created.metadata.generation == 1
    # The stored template carries `metadata.creationTimestamp: null`; the client's model drops it on the
    # way back, and reorders members: neither is a change of the spec.
    stored = server.raw("GET", f"/apis/apps/v1/namespaces/{ns}/statefulsets/redis-sts").json()
    assert "creationTimestamp" in stored["spec"]["template"]["metadata"]
    read = clients.apps.read_namespaced_stateful_set("redis-sts", ns)
    replaced = clients.apps.replace_namespaced_stateful_set("redis-sts", ns, read)
    assert replaced.metadata.generation == 1

    replaced.spec.template.spec.containers[0].image = "redis:7"
    changed = clients.apps.replace_namespaced_stateful_set("redis-sts", ns, replaced)
    assert changed.metadata.generation == 2


def test_server_yaml_keeps_ambiguous_strings_strings(server, ns):
    data = {"bool": "true", "int": "1", "null": "null", "float": "1.5", "hex": "0x1F", "tilde": "~", "empty": "",
            "yes": "yes", "no": "no", "on": "on", "off": "off", "date": "2026-12-04", "time": "2026-12-04T15:13:15Z"}
    created = server.raw("POST", f"/api/v1/namespaces/{ns}/configmaps",
                         {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "typed"}, "data": data})
    assert created.status_code == 201, created.text
    response = server.raw("GET", f"/api/v1/namespaces/{ns}/configmaps/typed", headers={"Accept": "application/yaml"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/yaml")
    assert 'creationTimestamp: "' in response.text, response.text
    loaded = yaml.safe_load(response.text)
    assert loaded["data"] == data
    timestamp = loaded["metadata"]["creationTimestamp"]
    assert isinstance(timestamp, str) and timestamp == created.json()["metadata"]["creationTimestamp"]


def test_version_flag_and_command_print_the_served_version(server):
    served = server.raw("GET", "/version").json()["gitVersion"]
    for args in (["--version"], ["version"]):
        result = subprocess.run([kubelite_binary(), *args], capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, result.stderr
        line = result.stdout.strip()
        assert line.startswith(f"kubelite {served} "), line
        assert len(line.splitlines()) == 1
