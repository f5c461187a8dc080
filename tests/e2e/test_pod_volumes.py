"""Volumes the kubelet writes for pods that really run (root on Linux; CI runs as root): configMap, secret,
downwardAPI and projected files, kept up to date while the pod runs as the kubelet's atomic writer keeps them,
and resourceFieldRef in the environment."""

import base64
import json
import os
import shutil

import pytest

from support import get_or_none, pod_is_ready, wait_for

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None,
                                reason="real pods need root and util-linux (pods are simulated otherwise)")


def running_pod(kubectl, name, timeout=45):
    return wait_for(lambda: (p := get_or_none(kubectl, "pod", name)) and pod_is_ready(p) and p, timeout,
                    f"pod {name} Ready", interval=0.1)


def test_projected_files_follow_their_sources_while_the_pod_runs(kubectl, ns):
    kubectl("create", "configmap", "settings", "--from-literal=mode=blue")
    kubectl("create", "secret", "generic", "creds", "--from-literal=password=s3cr3t")
    pod = {
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "reader", "labels": {"tier": "front"}},
        "spec": {
            "volumes": [
                {"name": "settings", "configMap": {"name": "settings"}},
                {"name": "creds", "secret": {"secretName": "creds", "defaultMode": 0o400}},
                {"name": "info", "downwardAPI": {"items": [
                    {"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}},
                    {"path": "cpu", "resourceFieldRef": {"containerName": "c", "resource": "requests.cpu", "divisor": "1m"}}]}},
                {"name": "all", "projected": {"sources": [
                    {"configMap": {"name": "settings"}},
                    {"downwardAPI": {"items": [{"path": "name", "fieldRef": {"fieldPath": "metadata.name"}}]}}]}},
            ],
            "containers": [{
                "name": "c", "image": "busybox", "command": ["sleep", "3600"],
                "resources": {"requests": {"cpu": "250m", "memory": "64Mi"}},
                "env": [{"name": "MEMORY_MIB", "valueFrom": {"resourceFieldRef": {"resource": "requests.memory", "divisor": "1Mi"}}}],
                "volumeMounts": [{"name": "settings", "mountPath": "/etc/settings"}, {"name": "creds", "mountPath": "/etc/creds"},
                                 {"name": "info", "mountPath": "/etc/info"}, {"name": "all", "mountPath": "/etc/all"}],
            }],
        },
    }
    kubectl("apply", "-f", "-", input=json.dumps(pod))
    running_pod(kubectl, "reader")

    def cat(path):
        return kubectl.run("exec", "reader", "--", "cat", path).stdout

    assert cat("/etc/settings/mode") == "blue"
    assert cat("/etc/creds/password") == "s3cr3t"
    assert kubectl("exec", "reader", "--", "stat", "-L", "-c", "%a", "/etc/creds/password") == "400\n"
    assert cat("/etc/info/labels") == 'tier="front"'
    assert cat("/etc/info/cpu") == "250"
    assert cat("/etc/all/mode") == "blue" and cat("/etc/all/name") == "reader"
    assert kubectl("exec", "reader", "--", "sh", "-c", "echo $MEMORY_MIB") == "64\n"
    assert kubectl("exec", "reader", "--", "readlink", "/etc/settings/mode") == "..data/mode\n"
    written = kubectl.run("exec", "reader", "--", "sh", "-c", "echo x > /etc/settings/mode")
    assert written.returncode != 0 and "Read-only file system" in written.stderr, written.stderr

    kubectl("patch", "configmap", "settings", "-p", '{"data":{"mode":"green"}}')
    kubectl("label", "pod", "reader", "tier=back", "--overwrite")
    wait_for(lambda: cat("/etc/settings/mode") == "green" and cat("/etc/all/mode") == "green", 30,
             "the configMap's change in the running pod", interval=0.5)
    wait_for(lambda: cat("/etc/info/labels") == 'tier="back"', 30, "the label change in the downwardAPI file", interval=0.5)


def test_the_service_account_volume_has_token_ca_and_namespace(kubectl, ns):
    host_had_it = os.path.exists("/run/secrets/kubernetes.io")
    kubectl("run", "sa", "--image=busybox", "--", "sleep", "3600")
    pod = running_pod(kubectl, "sa")
    # /var/run links to /run: the mount point is resolved in the pod's root, not the host's.
    directory = "/var/run/secrets/kubernetes.io/serviceaccount"
    assert kubectl("exec", "sa", "--", "cat", f"{directory}/namespace") == ns
    assert host_had_it or not os.path.exists("/run/secrets/kubernetes.io"), "the mount point was made on the host"
    # The CA of kube-root-ca.crt, and a token bound to this pod (the kubelet's TokenRequest).
    assert kubectl("exec", "sa", "--", "cat", f"{directory}/ca.crt") == \
        kubectl.json("get", "configmap", "kube-root-ca.crt")["data"]["ca.crt"]
    token = kubectl("exec", "sa", "--", "cat", f"{directory}/token")
    payload = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=" * (-len(token.split(".")[1]) % 4)))
    assert payload["sub"] == f"system:serviceaccount:{ns}:default"
    assert payload["kubernetes.io"]["pod"] == {"name": "sa", "uid": pod["metadata"]["uid"]}
    # The projected 3607 s token lives a year and warns after its hour, as upstream extends it.
    assert payload["kubernetes.io"]["warnafter"] - payload["iat"] == 3607


def test_a_missing_config_map_key_is_a_failed_mount(kubectl, ns):
    kubectl("create", "configmap", "partial", "--from-literal=a=1")
    pod = {
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "missing-key"},
        "spec": {"volumes": [{"name": "v", "configMap": {"name": "partial", "items": [{"key": "b", "path": "b"}]}}],
                 "containers": [{"name": "c", "image": "busybox", "command": ["sleep", "3600"],
                                 "volumeMounts": [{"name": "v", "mountPath": "/v"}]}]},
    }
    kubectl("apply", "-f", "-", input=json.dumps(pod))

    def failed_mount():
        events = kubectl.json("get", "events", "--field-selector", "involvedObject.name=missing-key")["items"]
        return [e for e in events if e["reason"] == "FailedMount"]

    event = wait_for(failed_mount, 30, "a FailedMount event")[0]
    assert event["message"] == "MountVolume.SetUp failed: configmap references non-existent config key: b", event["message"]
    assert kubectl.json("get", "pod", "missing-key")["status"]["phase"] == "Pending"
